/**
 * The languages the hosted pages speak (ISO 639-1), English first: the last fallback. Held here because
 * create-connection refuses any other `hosted_page.language_code`; the journey's message catalogue is typed over
 * this list, so a language added here does not compile until its messages exist.
 */
export const HOSTED_PAGE_LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl'] as const
export type HostedPageLanguage = (typeof HOSTED_PAGE_LANGUAGES)[number]

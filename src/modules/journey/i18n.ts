import { CATALOGUE, LANGUAGES, type MessageKey } from './journey.messages.ts'
import { parseAcceptLanguage } from '../../http/accept-language.ts'

/**
 * The hosted pages' language: the connection's `hosted_page.language_code` when we speak it ("overriding the
 * browser's locale", says the contract), else the best match in the browser's Accept-Language, else English.
 */
export function chooseLanguage (languageCode: string | undefined | null, acceptLanguage: string | undefined): string {
  if (languageCode && LANGUAGES.includes(languageCode.toLowerCase())) return languageCode.toLowerCase()
  for (const tag of parseAcceptLanguage(acceptLanguage)) {
    const primary = tag.split('-')[0]!
    if (LANGUAGES.includes(primary)) return primary
  }
  return 'en'
}

/** True when the catalogue has this key (for keys built from data, such as `reason.<failure_reason>`). */
export function isMessageKey (key: string): key is MessageKey {
  return Object.hasOwn(CATALOGUE.en!, key)
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string

/** `t(key, {name})` for one language. Placeholders are replaced as text; the template escapes the result. */
export function translator (language: string): Translate {
  const messages = CATALOGUE[language] ?? CATALOGUE.en!
  return (key, params) => {
    const template = messages[key] ?? CATALOGUE.en![key]
    if (!params) return template
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole))
  }
}

/** A country's name in the page's language (CLDR, through Intl), e.g. GB → "Vereinigtes Königreich" in German. */
export function countryName (language: string, countryCode: string): string {
  try {
    return new Intl.DisplayNames([language], { type: 'region' }).of(countryCode) ?? countryCode
  } catch {
    return countryCode
  }
}

/** "1 account shared." / "3 accounts shared." in the page's language. */
export function accountsShared (t: Translate, language: string, count: number): string {
  const form = new Intl.PluralRules(language).select(count)
  return form === 'one' ? t('result.accounts_one', { count }) : t('result.accounts_other', { count })
}

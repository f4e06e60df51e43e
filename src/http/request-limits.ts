/**
 * Upper bounds of what a request may carry, one place for all of them (the README's "Request limits" table lists
 * them). Every array and string of every request schema has one, so that no request — however large, within the
 * 64 KiB body limit — makes the server do more than a few milliseconds of work: validation, the did-you-mean
 * suggestions and the cross-field rules all stay small.
 */
export const REQUEST_LIMITS = {
  /** Identifiers: provider, account, connection, event ids (ours are far shorter). */
  idLength: 100,
  /** Lists in a filter (provider_ids, excludes.provider_ids, countries, customer_segments). */
  listItems: 100,
  /** Scopes asked for (duplicates are accepted, so more than the scopes that exist). */
  scopes: 20,
  /** Timestamps given as text (user_consent.captured_at). */
  timestampLength: 64,
  /** Opaque cursors handed back unchanged. */
  cursorLength: 2048,
  /** Tl-User-IP (a comma-separated list) and the device user agent. */
  headerLength: 1024,
  /** Unknown values that get a did-you-mean suggestion in one request; the others get the plain message. */
  suggestions: 10,
  /** Values longer than this get no suggestion (a slip is short; comparing long strings is quadratic work). */
  suggestionValueLength: 100,
} as const

// "user_consent.captured_at — Yes, if user_consent.type is precaptured: a timestamp representing the time at which
// your user gave consent" ("in the UTC timezone", OpenAPI). RFC 3339, UTC, and not later than the client's now.
import type { Rule } from './rule.ts'
import { at, str } from './rule.ts'

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/

/** The instant, or a message saying what is wrong with the text. */
export function parseUtcTimestamp (text: string): Date | string {
  const m = RFC3339.exec(text)
  if (!m) return 'must be an RFC 3339 timestamp, e.g. "2025-01-01T12:00:00Z"'
  const [, y, mo, d, h, mi, s, , zone] = m
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)))
  // Date.UTC rolls over (Feb 30 → Mar 2); a real date survives the round trip.
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return 'is not a real date and time'
  }
  if (!/^([Zz]|[+-]00:00)$/.test(zone!)) return `must be in UTC: end in "Z", e.g. "${y}-${mo}-${d}T${h}:${mi}:${s}Z" (an offset of ${zone} was given)`
  return new Date(text.replace(/[+-]00:00$/, 'Z').toUpperCase())
}

export const capturedAt: Rule = {
  name: 'precaptured consent time',
  check ({ body, now }, errors) {
    if (at(body, 'user_consent', 'type') !== 'precaptured') return
    const text = str(at(body, 'user_consent', 'captured_at'))
    if (text === undefined) return // required by the schema's precaptured branch
    const parsed = parseUtcTimestamp(text)
    if (typeof parsed === 'string') errors.add('user_consent.captured_at', parsed)
    else if (parsed.getTime() > now.getTime()) {
      errors.add('user_consent.captured_at', `must not be in the future (it is now ${now.toISOString()} on this client's clock)`)
    }
  },
}

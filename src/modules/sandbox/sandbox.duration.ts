/**
 * ISO-8601 durations for `POST /sandbox/clock/advance`: days, hours, minutes and seconds (`P90D`, `PT36H`,
 * `P1DT12H30M`, `PT90S`) or weeks (`P13W`). Years and months are refused: they have no fixed length, and a clock
 * that moved by "a month" would mean different things on different days.
 */
export const MAX_CLOCK_OFFSET_SECONDS = 50 * 365 * 86_400

const DURATION = /^P(?:(\d+)W|(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?)$/

/** The duration in seconds, or the rule it breaks (a message for the `by` field). */
export function parseDuration (text: string): { seconds: number } | { error: string } {
  const m = DURATION.exec(text)
  if (!m || text === 'P' || text.endsWith('T')) {
    if (/^\d+$/.test(text)) return { error: `must be an ISO-8601 duration, not a bare number: for ${text} days write P${text}D, for seconds PT${text}S` }
    if (/^P[^T]*\d+[YM]/.test(text)) {
      return { error: 'must use days, hours, minutes or seconds (years and months have no fixed length): e.g. P90D' }
    }
    if (/[.,]\d/.test(text)) return { error: 'must use whole numbers, e.g. PT90S rather than PT1.5M' }
    if (text !== text.toUpperCase() && DURATION.test(text.toUpperCase())) return { error: `must be written in capitals: ${text.toUpperCase()}` }
    return { error: 'must be an ISO-8601 duration such as P90D, PT36H, P1DT12H or P13W' }
  }
  const [, w, d, h, min, s] = m.map((v) => (v === undefined ? 0 : Number(v)))
  const seconds = (w ?? 0) * 7 * 86_400 + (d ?? 0) * 86_400 + (h ?? 0) * 3_600 + (min ?? 0) * 60 + (s ?? 0)
  if (seconds <= 0) return { error: 'must be a positive duration (the clock only moves forward; POST /sandbox/clock/reset goes back)' }
  if (seconds > MAX_CLOCK_OFFSET_SECONDS) return { error: 'must be at most 50 years' }
  return { seconds }
}

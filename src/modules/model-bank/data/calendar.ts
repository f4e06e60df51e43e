/** UTC calendar arithmetic for the synthetic history. Months are counted as year * 12 + (month - 1). */

export const SECOND = 1000
export const MINUTE = 60 * SECOND
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

export function monthOf (ms: number): number {
  const d = new Date(ms)
  return d.getUTCFullYear() * 12 + d.getUTCMonth()
}

export function monthStart (month: number): number {
  return Date.UTC(Math.floor(month / 12), month % 12, 1)
}

export function daysInMonth (month: number): number {
  return Math.round((monthStart(month + 1) - monthStart(month)) / DAY)
}

/** 1-based calendar month (1 = January). */
export function calendarMonth (month: number): number {
  return (month % 12) + 1
}

/** Day of week of a day start, 0 = Sunday. */
export function weekday (ms: number): number {
  return new Date(ms).getUTCDay()
}

export function dayStart (ms: number): number {
  return Math.floor(ms / DAY) * DAY
}

/** The same instant `n` calendar months earlier, clamped to the month's last day (31 Mar − 1 month = 28/29 Feb). */
export function minusMonths (ms: number, n: number): number {
  const d = new Date(ms)
  const target = d.getUTCFullYear() * 12 + d.getUTCMonth() - n
  const day = Math.min(d.getUTCDate(), daysInMonth(target))
  return Date.UTC(Math.floor(target / 12), target % 12, day) + (ms - dayStart(ms))
}

/** RFC 3339 with whole seconds, the style of the contract's examples ("2025-04-01T12:34:56Z"). */
export function isoSeconds (ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Start of a YYYY-MM-DD day in UTC, or null when the text is not a real calendar date. */
export function parseDate (text: string): number | null {
  const m = DATE.exec(text)
  if (!m) return null
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
  return isoSeconds(ms).slice(0, 10) === text ? ms : null
}

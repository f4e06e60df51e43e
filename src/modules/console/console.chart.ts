/**
 * Balance over time, for the Console's connection page: the numbers (daily end-of-day balances worked backwards
 * from today's balance) and the geometry of a small inline SVG line chart. Pure functions, no I/O: the service
 * reads the bank, the template draws what this returns (every text goes through the template's escaping).
 */

export interface DailyBalance {
  date: string // YYYY-MM-DD (UTC)
  /** Minor units. */
  balance: number
}

const DAY_MS = 86_400_000
export const dayOf = (d: Date): string => d.toISOString().slice(0, 10)
const addDays = (day: string, n: number): string => dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS))

/**
 * End-of-day balances for the `days` days up to and including `today`: a day's balance is today's balance less
 * every settled transaction dated after that day. Pending transactions are not in the current balance and do not
 * move history, so they are ignored.
 */
export function dailyBalances (
  currentMinor: number,
  transactions: ReadonlyArray<{ timestamp: string, amount_in_minor: number, status: string }>,
  today: string,
  days: number,
): DailyBalance[] {
  // Sum of settled amounts per day, then walk back from today.
  const perDay = new Map<string, number>()
  for (const t of transactions) {
    if (t.status !== 'settled') continue
    const day = t.timestamp.slice(0, 10)
    perDay.set(day, (perDay.get(day) ?? 0) + t.amount_in_minor)
  }
  // Transactions dated after "today" (clock skew at the bank) are already in the current balance.
  let laterThanToday = 0
  for (const [day, sum] of perDay) if (day > today) laterThanToday += sum
  const out: DailyBalance[] = []
  let balance = currentMinor - laterThanToday
  let day = today
  for (let i = 0; i < days; i++) {
    out.push({ date: day, balance })
    balance -= perDay.get(day) ?? 0
    day = addDays(day, -1)
  }
  return out.reverse()
}

/** A step of 1, 2 or 5 × 10^k giving about `count` intervals over `span`. */
function niceStep (span: number, count: number): number {
  const raw = span / count
  const pow = 10 ** Math.floor(Math.log10(raw))
  const f = raw / pow
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow
}

export function formatMoney (minor: number, currency: string, options: { whole?: boolean } = {}): string {
  const digits = options.whole ? 0 : 2
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(minor / 100)
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
export function formatDay (day: string, withYear = true): string {
  const [y, m, d] = day.split('-')
  return `${Number(d)} ${MONTHS[Number(m) - 1]}${withYear ? ` ${y}` : ''}`
}

export interface ChartModel {
  width: number
  height: number
  plot: { left: number, top: number, right: number, bottom: number }
  /** SVG path data of the balance line. */
  path: string
  yTicks: Array<{ y: number, label: string }>
  xTicks: Array<{ x: number, label: string }>
  /** y of the zero line when zero is inside the range (an overdrawn account), else undefined. */
  zeroY: number | undefined
  xLabel: string
  yLabel: string
  /** One sentence a screen reader (and everyone else) can read instead of the picture. */
  summary: string
  /** How many days the chart spans (the last point is today). */
  spanDays: number
  /** Weekly rows for the table under the chart. */
  table: Array<{ date: string, balance: string }>
}

export function balanceChart (series: DailyBalance[], currency: string): ChartModel | undefined {
  if (series.length < 2) return undefined
  const width = 720
  const height = 260
  const plot = { left: 84, top: 16, right: width - 16, bottom: height - 48 }

  const values = series.map((p) => p.balance)
  let min = Math.min(...values)
  let max = Math.max(...values)
  if (min === max) { min -= 1000; max += 1000 }
  const step = niceStep(max - min, 4)
  const lo = Math.floor(min / step) * step
  const hi = Math.ceil(max / step) * step

  const x = (i: number) => plot.left + (i / (series.length - 1)) * (plot.right - plot.left)
  const y = (v: number) => plot.bottom - ((v - lo) / (hi - lo)) * (plot.bottom - plot.top)
  const r = (n: number) => Math.round(n * 10) / 10

  const path = series.map((p, i) => `${i === 0 ? 'M' : 'L'}${r(x(i))} ${r(y(p.balance))}`).join(' ')
  const yTicks: ChartModel['yTicks'] = []
  for (let v = lo; v <= hi + step / 2; v += step) yTicks.push({ y: r(y(v)), label: formatMoney(v, currency, { whole: step >= 100 }) })

  // Month starts make the most readable x ticks; a short series falls back to every 14 days.
  let xTicks = series.flatMap((p, i) => (p.date.endsWith('-01') ? [{ x: r(x(i)), label: formatDay(p.date, false) }] : []))
  if (xTicks.length < 2) xTicks = series.flatMap((p, i) => (i % 14 === 0 ? [{ x: r(x(i)), label: formatDay(p.date, false) }] : []))

  const first = series[0]!
  const last = series[series.length - 1]!
  const low = series.reduce((a, b) => (b.balance < a.balance ? b : a))
  const high = series.reduce((a, b) => (b.balance > a.balance ? b : a))
  const summary = `Balance went from ${formatMoney(first.balance, currency)} on ${formatDay(first.date)} ` +
    `to ${formatMoney(last.balance, currency)} on ${formatDay(last.date)}; ` +
    `lowest ${formatMoney(low.balance, currency)} on ${formatDay(low.date)}, highest ${formatMoney(high.balance, currency)} on ${formatDay(high.date)}.`

  const table: ChartModel['table'] = []
  for (let i = series.length - 1; i >= 0; i -= 7) table.unshift({ date: formatDay(series[i]!.date), balance: formatMoney(series[i]!.balance, currency) })

  return {
    width,
    height,
    plot,
    path,
    yTicks,
    xTicks,
    zeroY: lo < 0 && hi > 0 ? r(y(0)) : undefined,
    xLabel: `Date (end of day, UTC), ${formatDay(first.date)} – ${formatDay(last.date)}`,
    yLabel: `Balance (${currency})`,
    summary,
    spanDays: series.length - 1,
    table,
  }
}

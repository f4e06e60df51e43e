import { type AccountKind, type AccountPlan, type CustomerPlan, KIND_CODE } from './accounts.ts'
import { category } from './categories.ts'
import { DAY, HOUR, calendarMonth, daysInMonth, monthStart, weekday } from './calendar.ts'
import type { Tx } from './feed.ts'
import { type Merchant, MERCHANTS, type MerchantGroup, TAXES, VAT, merchantsFor } from './merchants.ts'
import { HOLIDAY_CITIES } from './names.ts'
import { Rng, hexId, mix } from './prng.ts'
import type { FixedPayment, Profile } from './profile.ts'
import { describe } from './statement-text.ts'

/**
 * One calendar month of an ordinary customer's history, all accounts together (transfers between them are
 * generated as matching pairs). A month is a pure function of (customer, month): it never depends on `asOf`, so
 * moving "today" forward only reveals what was always there.
 *
 * Balances without summing the past: each account's balance at the start of month m is itself a pure function
 * (`monthOpening`), and one payment per account per month absorbs the difference, so that
 * opening(m) + Σ month m = opening(m + 1) holds exactly:
 *   savings — the transfer from the current account (its size is what the saver put aside that month);
 *   card    — the repayment from the current account;
 *   euro    — the top-up from the sterling account;
 *   current — the payment to the customer's credit card at another bank (or, rarely, money in from elsewhere).
 */
export type MonthTxs = Record<AccountKind, Tx[]>

const OPENING_TAG: Record<AccountKind, number> = { current: 500, savings: 501, card: 502, fx: 503 }

function noise (plan: CustomerPlan, tag: number, m: number, amplitude: number): number {
  if (amplitude <= 0) return 0
  return (mix(plan.seed[0], plan.seed[1], tag, m) % (2 * amplitude + 1)) - amplitude
}

/** The ledger balance at 00:00 UTC on the first day of month m (everything dated before it, settled or not). */
export function monthOpening (plan: CustomerPlan, profile: Profile, kind: AccountKind, m: number): number {
  switch (kind) {
    case 'current':
      return profile.currentBase + noise(plan, OPENING_TAG.current, m, profile.currentNoise)
    case 'savings': {
      const s = profile.savings
      if (!s) return 0
      return s.base + s.slope * ((m + s.phase) % s.period) + noise(plan, OPENING_TAG.savings, m, s.noise)
    }
    case 'card': {
      const c = profile.card
      return c ? -(c.base + noise(plan, OPENING_TAG.card, m, c.noise)) : 0
    }
    case 'fx': {
      const f = profile.fx
      return f ? f.base + noise(plan, OPENING_TAG.fx, m, f.noise) : 0
    }
  }
}

/** Collects one account's transactions for the month, with ids stable across runs. */
class Book {
  readonly txs: Tx[] = []
  private seq = 0

  constructor (private readonly plan: CustomerPlan, readonly account: AccountPlan, private readonly month: number) {}

  add (fields: Omit<Tx, 'id' | 'currency'>): Tx {
    const tx: Tx = { id: hexId(this.plan.seed[0], this.plan.seed[1], KIND_CODE[this.account.kind], this.month, this.seq++), currency: this.account.currency, ...fields }
    this.txs.push(tx)
    return tx
  }

  remove (tx: Tx): void {
    const i = this.txs.indexOf(tx)
    if (i >= 0) this.txs.splice(i, 1)
  }

  total (): number {
    let sum = 0
    for (const tx of this.txs) sum += tx.amount
    return sum
  }
}

interface MonthContext {
  plan: CustomerPlan
  profile: Profile
  m: number
  days: number
  /** Epoch ms of `day` (1-based, clamped to the month) plus `seconds` into that day. */
  at (day: number, seconds: number): number
  rng (part: number): Rng
}

/** Card payments take one to three days to settle (never more than MAX_SETTLE_LAG). */
function cardLag (rng: Rng): number {
  return rng.int(18, 72) * HOUR
}

function cardPurchase (ctx: MonthContext, book: Book, rng: Rng, merchant: Merchant, day: number, hours: readonly [number, number], scale = 1, city?: string): Tx {
  const amount = -Math.max(50, Math.round(rng.int(merchant.min, merchant.max) * scale))
  return book.add({
    ts: ctx.at(day, rng.int(hours[0] * 3600, hours[1] * 3600 - 1)),
    amount,
    description: describe(merchant, ctx.profile, rng, ctx.plan.region, city),
    merchant: merchant.name,
    category: merchant.category,
    lag: cardLag(rng),
  })
}

function directDebit (ctx: MonthContext, book: Book, rng: Rng, payment: FixedPayment, amount = payment.amount, lag = 0): Tx {
  return book.add({
    ts: ctx.at(payment.day, 0),
    amount: -amount,
    description: describe(payment.merchant, ctx.profile, rng, ctx.plan.region),
    merchant: payment.merchant.name,
    category: payment.merchant.category,
    lag,
  })
}

/** Payday, moved back to the Friday before when it falls on a weekend; 0 means the last working day. */
function paydayOf (ctx: MonthContext): number {
  let day = ctx.profile.payday === 0 ? ctx.days : Math.min(ctx.profile.payday, ctx.days)
  while (day > 1 && [0, 6].includes(weekday(ctx.at(day, 0)))) day--
  return day
}

function savingsMonth (ctx: MonthContext, current: Book, savings: Book, payday: number): void {
  const { plan, profile, m } = ctx
  const rate = profile.savings!.annualRate
  const opening = monthOpening(plan, profile, 'savings', m)
  const interest = Math.round(opening * rate / 12)
  if (interest !== 0) savings.add({ ts: ctx.at(ctx.days, 0), amount: interest, description: 'INTEREST PAID', lag: 0 })
  const transfer = monthOpening(plan, profile, 'savings', m + 1) - opening - interest
  if (transfer === 0) return
  // Money goes in the morning after payday; a withdrawal (the savings being spent) comes mid-month.
  const ts = transfer > 0 ? ctx.at(Math.min(payday + 1, ctx.days), 7 * 3600 + 30 * 60) : ctx.at(ctx.rng(11).int(6, 16), 9 * 3600)
  const toSavings = transfer > 0
  savings.add({ ts, amount: transfer, description: `TRANSFER ${toSavings ? 'FROM CURRENT' : 'TO CURRENT'} ${plan.current.lastFour}`, lag: 0 })
  current.add({ ts, amount: -transfer, description: `TRANSFER ${toSavings ? 'TO SAVINGS' : 'FROM SAVINGS'} ${savings.account.lastFour}`, lag: 0 })
}

function cardMonth (ctx: MonthContext, current: Book, card: Book): void {
  const { plan, profile, m } = ctx
  const params = profile.card!
  const rng = ctx.rng(12)
  const pool = [...merchantsFor('online', plan.region), ...merchantsFor('shopping', plan.region), ...merchantsFor('eatingOut', plan.region)]
  const purchases = Math.max(1, params.purchases + rng.int(-2, 2))
  for (let i = 0; i < purchases; i++) cardPurchase(ctx, card, rng, rng.pick(pool), rng.int(1, ctx.days), [8, 23])
  if (rng.chance(0.1) && card.txs.length > 0) refund(ctx, card, rng, rng.pick(card.txs))
  let repayment = monthOpening(plan, profile, 'card', m + 1) - monthOpening(plan, profile, 'card', m) - card.total()
  while (repayment < 500) {
    // A quiet month: one more purchase keeps the repayment a payment (never a transfer back).
    const extra = cardPurchase(ctx, card, rng, rng.pick(merchantsFor('online', plan.region)), rng.int(1, ctx.days), [8, 23])
    repayment -= extra.amount
  }
  const ts = ctx.at(params.payDay, 0)
  card.add({ ts, amount: repayment, description: 'DIRECT DEBIT PAYMENT - THANK YOU', lag: 0 })
  current.add({ ts, amount: -repayment, description: `${plan.bankName.toUpperCase()} CARD ${card.account.lastFour}`, merchant: plan.bankName, category: category('Bills'), lag: 0 })
}

/** Sterling per euro for the month, 0.84–0.88. */
function fxRate (plan: CustomerPlan, m: number): number {
  return 0.84 + (mix(plan.seed[0], plan.seed[1], 504, m) % 400) / 10000
}

function fxMonth (ctx: MonthContext, current: Book, fx: Book): void {
  const { plan, profile, m } = ctx
  const params = profile.fx!
  const rng = ctx.rng(13)
  const summer = [6, 7, 8].includes(calendarMonth(m))
  const purchases = Math.max(0, params.purchases + (summer ? rng.int(2, 6) : rng.int(-2, 1)))
  if (purchases > 0) {
    // Euro spending comes in a short trip: a few days in one city.
    const city = rng.pick(HOLIDAY_CITIES)
    const first = rng.int(1, Math.max(1, ctx.days - 6))
    const pool = merchantsFor('holidayEur', 'eu')
    for (let i = 0; i < purchases; i++) cardPurchase(ctx, fx, rng, rng.pick(pool), first + rng.int(0, 5), [8, 23], 1, city)
  }
  let topUp = monthOpening(plan, profile, 'fx', m + 1) - monthOpening(plan, profile, 'fx', m) - fx.total()
  while (Math.abs(topUp) < 100) {
    const extra = cardPurchase(ctx, fx, rng, rng.pick(merchantsFor('holidayEur', 'eu')), rng.int(1, ctx.days), [8, 23], 1, rng.pick(HOLIDAY_CITIES))
    topUp -= extra.amount
  }
  const ts = ctx.at(params.day, 8 * 3600)
  const sterling = Math.round(topUp * fxRate(plan, m))
  const inbound = topUp > 0
  fx.add({ ts, amount: topUp, description: `TRANSFER ${inbound ? 'FROM GBP' : 'TO GBP'} ${plan.current.lastFour}`, lag: 0 })
  current.add({ ts, amount: -sterling, description: `TRANSFER ${inbound ? 'TO EUR' : 'FROM EUR'} ${fx.account.lastFour}`, lag: 0 })
}

function refund (ctx: MonthContext, book: Book, rng: Rng, purchase: Tx): Tx | undefined {
  const monthEnd = ctx.at(ctx.days, 86399)
  const ts = Math.min(monthEnd, purchase.ts + rng.int(2, 10) * DAY + rng.int(0, 3600) * 1000)
  if (ts <= purchase.ts) return undefined
  return book.add({ ts, amount: -purchase.amount, description: `REFUND ${purchase.description}`, merchant: purchase.merchant, category: purchase.category, lag: cardLag(rng) })
}

function incomeMonth (ctx: MonthContext, current: Book, payday: number): void {
  const { plan, profile, m } = ctx
  const rng = ctx.rng(14)
  if (plan.segment === 'retail') {
    let amount = Math.round(profile.income * (1 + rng.int(-15, 15) / 1000))
    if ([3, 12].includes(calendarMonth(m)) && rng.chance(0.3)) amount += Math.round(profile.income * rng.int(10, 40) / 100)
    current.add({ ts: ctx.at(payday, 0), amount, description: `SALARY ${profile.employer}`, merchant: profile.employer, lag: 0 })
    return
  }
  // A business is paid by its clients, a few invoices a month.
  const count = rng.int(2, 5)
  let left = Math.round(profile.income * (1 + rng.int(-100, 100) / 1000))
  for (let i = 0; i < count; i++) {
    const amount = i === count - 1 ? left : Math.round(left * rng.int(20, 50) / 100)
    left -= amount
    const client = rng.pick(profile.clients)
    current.add({ ts: ctx.at(rng.int(1, ctx.days), rng.int(8 * 3600, 18 * 3600)), amount, description: `${client} INV ${rng.digits(4)}`, merchant: client, lag: 0 })
  }
}

function billsMonth (ctx: MonthContext, current: Book): void {
  const { plan, profile, m } = ctx
  const rng = ctx.rng(15)
  const month = calendarMonth(m)
  directDebit(ctx, current, rng, profile.housing)
  // Council tax and business rates: ten monthly instalments, April to January.
  if (profile.localTax && month !== 2 && month !== 3) directDebit(ctx, current, rng, profile.localTax)
  // Energy costs more in winter.
  const season = 1 + 0.35 * Math.cos((2 * Math.PI * (month - 1)) / 12)
  directDebit(ctx, current, rng, profile.energy, Math.round(profile.energy.amount * season))
  if (profile.water) directDebit(ctx, current, rng, profile.water)
  directDebit(ctx, current, rng, profile.phone)
  directDebit(ctx, current, rng, profile.broadband)
  for (const s of profile.subscriptions) directDebit(ctx, current, rng, s, s.amount, cardLag(rng))
  for (const e of profile.extras) directDebit(ctx, current, rng, e)
  if (plan.segment === 'business') {
    if ([1, 4, 7, 10].includes(month) && plan.region === 'uk') {
      current.add({ ts: ctx.at(7, 0), amount: -Math.round(profile.income * rng.int(20, 45) / 100), description: 'HMRC VAT', merchant: 'HMRC', category: VAT, lag: 0 })
    }
    if (plan.region === 'uk') {
      current.add({ ts: ctx.at(22, 0), amount: -Math.round(profile.income * rng.int(5, 12) / 100), description: 'HMRC PAYE', merchant: 'HMRC', category: TAXES, lag: 0 })
    }
  }
}

/** Everyday card spending; returns the purchases that may be dropped to keep the month within budget. */
function everydayMonth (ctx: MonthContext, current: Book): Tx[] {
  const { plan, profile } = ctx
  const rng = ctx.rng(16)
  const region = plan.region
  const scale = Math.max(0.6, Math.min(1.8, profile.level))
  const optional: Tx[] = []
  for (let day = 1; day <= ctx.days; day++) {
    const dow = weekday(ctx.at(day, 0))
    const workday = dow >= 1 && dow <= 5
    if (rng.chance(profile.groceryTrips / ctx.days)) {
      const store = rng.weighted(profile.groceries.map((g, i) => [g, 3 - Math.min(i, 2)] as const))
      cardPurchase(ctx, current, rng, store, day, [8, 21], scale)
    }
    const coffees = workday ? profile.coffeePerWeek / 5 : profile.coffeePerWeek / 14
    if (rng.chance(coffees)) optional.push(cardPurchase(ctx, current, rng, rng.pick(profile.coffee), day, [7, 16]))
    if (profile.commute === 'tfl' && rng.chance(workday ? 0.85 : 0.3)) {
      // TfL charges the day's journeys in one payment in the early hours.
      const tfl = MERCHANTS.commute[0]!
      current.add({ ts: ctx.at(day, rng.int(3 * 3600, 5 * 3600)), amount: -rng.int(tfl.min, tfl.max), description: tfl.descriptor, merchant: tfl.name, category: tfl.category, lag: rng.int(24, 48) * HOUR })
    }
    if (profile.commute === 'rail' && workday && rng.chance(0.1)) cardPurchase(ctx, current, rng, MERCHANTS.rail[0]!, day, [6, 22])
  }
  const spread = (count: number, group: MerchantGroup, hours: readonly [number, number], s: number): void => {
    const pool = merchantsFor(group, region)
    const n = Math.max(0, count + rng.int(-1, 1))
    for (let i = 0; i < n; i++) optional.push(cardPurchase(ctx, current, rng, rng.pick(pool), rng.int(1, ctx.days), hours, s))
  }
  spread(profile.eatingOut, 'eatingOut', [12, 23], scale)
  spread(profile.shopping, 'shopping', [9, 20], scale)
  spread(profile.online, 'online', [7, 24], 1)
  spread(profile.taxis, 'taxi', [17, 24], 1)
  if (plan.segment === 'business') spread(rng.int(2, 5), 'businessSpend', [8, 19], 1)
  const atms = Math.max(0, profile.atm + rng.int(-1, 1))
  for (let i = 0; i < atms; i++) {
    const atm = MERCHANTS.atm[0]!
    current.add({ ts: ctx.at(rng.int(1, ctx.days), rng.int(9 * 3600, 21 * 3600)), amount: -rng.int(2, 10) * 1000, description: describe(atm, profile, rng, region), category: atm.category, lag: 0 })
  }
  // Now and then something goes back.
  if (rng.chance(0.2)) {
    const returnable = optional.filter((tx) => tx.category?.category_code.startsWith('C_SH_'))
    if (returnable.length > 0) {
      const bought = rng.pick(returnable)
      optional.splice(optional.indexOf(bought), 1)
      refund(ctx, current, rng, bought)
    }
  }
  return optional
}

/**
 * The current account's last payment of the month: what is left after everything else goes to the customer's
 * credit card at another bank. A tight month drops some optional spending first; a flush month (savings drawn
 * down) buys something big.
 */
function settleCurrent (ctx: MonthContext, current: Book, optional: Tx[]): void {
  const { plan, profile, m } = ctx
  const rng = ctx.rng(17)
  const net = monthOpening(plan, profile, 'current', m + 1) - monthOpening(plan, profile, 'current', m)
  let residual = net - current.total()
  const dropOrder = [...optional].sort((a, b) => a.amount - b.amount)
  while (residual > -2000 && dropOrder.length > 0) {
    const tx = dropOrder.shift()!
    current.remove(tx)
    residual += tx.amount
  }
  const most = Math.max(150000, Math.round(profile.income * 0.5))
  if (residual < -most) {
    let excess = -residual - Math.round(profile.income * rng.int(5, 15) / 100)
    const pool = merchantsFor('bigTicket', plan.region)
    for (let i = 0; i < 4 && excess > 5000; i++) {
      const merchant = rng.pick(pool)
      const amount = Math.min(excess, merchant.max)
      current.add({ ts: ctx.at(rng.int(1, ctx.days), rng.int(9 * 3600, 21 * 3600)), amount: -amount, description: describe(merchant, profile, rng, plan.region), merchant: merchant.name, category: merchant.category, lag: cardLag(rng) })
      excess -= amount
      residual += amount
    }
  }
  if (residual === 0) return
  const card = profile.externalCard
  current.add(residual < 0
    ? { ts: ctx.at(profile.externalCardDay, 0), amount: residual, description: card.descriptor, merchant: card.name, category: card.category, lag: 0 }
    : { ts: ctx.at(profile.externalCardDay, 11 * 3600), amount: residual, description: `FROM ${plan.firstName[0]!.toUpperCase()} ${plan.surname.toUpperCase()}`, lag: 0 })
}

export function generateMonth (plan: CustomerPlan, profile: Profile, m: number): MonthTxs {
  const start = monthStart(m)
  const days = daysInMonth(m)
  const ctx: MonthContext = {
    plan,
    profile,
    m,
    days,
    at: (day, seconds) => start + (Math.max(1, Math.min(day, days)) - 1) * DAY + seconds * 1000,
    rng: (part) => new Rng(plan.seed[0], plan.seed[1], 1000 + part, m),
  }
  const current = new Book(plan, plan.current, m)
  const savings = plan.savings && new Book(plan, plan.savings, m)
  const card = plan.card && new Book(plan, plan.card, m)
  const fx = plan.fx && new Book(plan, plan.fx, m)
  const payday = paydayOf(ctx)
  if (savings) savingsMonth(ctx, current, savings, payday)
  if (card) cardMonth(ctx, current, card)
  if (fx) fxMonth(ctx, current, fx)
  incomeMonth(ctx, current, payday)
  billsMonth(ctx, current)
  const optional = everydayMonth(ctx, current)
  settleCurrent(ctx, current, optional)
  const byKey = (a: Tx, b: Tx): number => (a.ts !== b.ts ? b.ts - a.ts : a.id < b.id ? 1 : a.id > b.id ? -1 : 0)
  return {
    current: current.txs.sort(byKey),
    savings: savings ? savings.txs.sort(byKey) : [],
    card: card ? card.txs.sort(byKey) : [],
    fx: fx ? fx.txs.sort(byKey) : [],
  }
}

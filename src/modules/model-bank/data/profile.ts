import type { CustomerPlan } from './accounts.ts'
import { Lru } from './lru.ts'
import { BUSINESS_RATES, COUNCIL_TAX, type Merchant, SUBSCRIPTIONS, merchantsFor } from './merchants.ts'
import { BUSINESS_CLIENTS, EMPLOYERS, EU_CITIES, HOLIDAY_CITIES, UK_PLACES } from './names.ts'
import { Rng, hashString, mix } from './prng.ts'

/**
 * A customer's habits and money: what they earn, what they pay every month, where they shop and how often, and
 * the parameters of each account's month-start balance. All chosen once, from the customer's seed.
 */
export interface FixedPayment {
  merchant: Merchant
  amount: number
  /** Day of month it leaves the account (clamped to the month's length). */
  day: number
}

export interface Profile {
  /** Net monthly income in minor units. */
  income: number
  /** Retail: "SALARY <employer>" on payday. Business: several client payments. */
  employer: string
  clients: readonly string[]
  /** Day of month salary lands, moved back to Friday when it falls on a weekend; 0 = last working day. */
  payday: number
  city: string
  council?: string
  housing: FixedPayment & { kind: 'rent' | 'mortgage' }
  /** Council tax (retail) or business rates, ten instalments April–January (UK). */
  localTax?: FixedPayment
  energy: FixedPayment
  water?: FixedPayment
  phone: FixedPayment
  broadband: FixedPayment
  subscriptions: FixedPayment[]
  extras: FixedPayment[]
  /** Spending per month, scaled to income. */
  level: number
  groceries: Merchant[]
  coffee: Merchant[]
  coffeePerWeek: number
  commute: 'tfl' | 'rail' | 'none'
  groceryTrips: number
  eatingOut: number
  shopping: number
  online: number
  taxis: number
  atm: number
  /** The credit card elsewhere that this customer pays off each month (the current account's residual). */
  externalCard: Merchant
  externalCardDay: number
  /** Current account: month-start balance = base ± noise; overdraft limit. */
  currentBase: number
  currentNoise: number
  overdraft: number
  savings?: { base: number, slope: number, period: number, phase: number, annualRate: number, noise: number, day: number }
  card?: { base: number, noise: number, limit: number, payDay: number, purchases: number }
  fx?: { base: number, noise: number, purchases: number, day: number }
  /** Store numbers of the customer's usual branches. */
  storeSeed: number
}

/** Council tax (retail) or business rates (business), paid to the council. */
function localTaxPayee (council: string, business: boolean): Merchant {
  return business
    ? { key: 'nndr', name: council, descriptor: `${council} NNDR`, category: BUSINESS_RATES, min: 0, max: 0, region: 'uk' }
    : { key: 'ctax', name: council, descriptor: `${council} CTAX`, category: COUNCIL_TAX, min: 0, max: 0, region: 'uk' }
}

function roundTo (value: number, step: number): number {
  return Math.round(value / step) * step
}

function buildProfile (plan: CustomerPlan): Profile {
  const rng = new Rng(plan.seed[0], plan.seed[1], 300)
  const region = plan.region
  const business = plan.segment === 'business'
  const income = business ? roundTo(rng.int(400000, 1500000), 100) : roundTo(rng.int(190000, 560000), 100)
  const level = income / 300000
  const place = region === 'uk' ? rng.pick(UK_PLACES) : undefined
  const city = place ? place[0] : rng.pick(EU_CITIES[plan.country] ?? HOLIDAY_CITIES)
  const london = city === 'LONDON'

  const fixed = (merchant: Merchant, amount: number, day: number): FixedPayment => ({ merchant, amount, day })
  const between = (merchant: Merchant): number => rng.int(merchant.min, merchant.max)

  const mortgage = !business && rng.chance(0.4)
  const housingMerchant = rng.pick(merchantsFor(mortgage ? 'mortgageLenders' : 'lettingAgents', region))
  const housingShare = business ? rng.int(8, 15) / 100 : rng.int(24, 34) / 100
  const housing = { ...fixed(housingMerchant, roundTo(income * housingShare, 500), mortgage ? rng.int(1, 5) : 1), kind: mortgage ? 'mortgage' as const : 'rent' as const }

  const subscriptionPool = SUBSCRIPTIONS.filter((s) => region === 'uk' || s.merchant.region !== 'uk')
  const subscriptions = rng.sample(subscriptionPool, rng.int(1, 4)).map((s) => fixed(s.merchant, rng.pick(s.prices), rng.int(1, 28)))
  const extras: FixedPayment[] = []
  if (rng.chance(0.45)) { const g = rng.pick(merchantsFor('gym', region)); extras.push(fixed(g, between(g), rng.int(1, 28))) }
  if (rng.chance(0.5)) { const i = rng.pick(merchantsFor('insurance', region)); extras.push(fixed(i, between(i), rng.int(1, 28))) }
  if (rng.chance(0.3)) { const c = rng.pick(merchantsFor('charity', region)); extras.push(fixed(c, roundTo(between(c), 100), rng.int(1, 28))) }
  if (business) {
    for (const s of rng.sample(merchantsFor('businessSoftware', region), rng.int(2, 4))) extras.push(fixed(s, between(s), rng.int(1, 28)))
  }

  const energy = rng.pick(merchantsFor('energy', region))
  const phone = rng.pick(merchantsFor('phone', region))
  const broadband = rng.pick(merchantsFor('broadband', region))
  const waterMerchant = region === 'uk' ? rng.pick(merchantsFor('water', region)) : undefined

  const overdraftStep = business ? 100000 : 25000
  const overdraft = Math.min(business ? 2500000 : 250000, Math.max(overdraftStep, roundTo(income * rng.int(30, 70) / 100, overdraftStep)))

  const profile: Profile = {
    income,
    employer: rng.pick(EMPLOYERS),
    clients: rng.sample(BUSINESS_CLIENTS, rng.int(3, 6)),
    payday: rng.weighted([[0, 4], [25, 2], [28, 2], [15, 1], [20, 1]] as const),
    city,
    council: place?.[1],
    housing,
    localTax: place ? fixed(localTaxPayee(place[1], business), roundTo(rng.int(11000, 24000) * (business ? 2 : 1), 100), rng.int(1, 15)) : undefined,
    energy: fixed(energy, between(energy), rng.int(1, 28)),
    water: waterMerchant ? fixed(waterMerchant, between(waterMerchant), rng.int(1, 28)) : undefined,
    phone: fixed(phone, between(phone), rng.int(1, 28)),
    broadband: fixed(broadband, between(broadband), rng.int(1, 28)),
    subscriptions,
    extras,
    level,
    groceries: rng.sample(merchantsFor('groceries', region), rng.int(2, 3)),
    coffee: rng.sample(merchantsFor('coffee', region), rng.int(1, 2)),
    coffeePerWeek: rng.int(0, 8),
    commute: london && rng.chance(0.8) ? 'tfl' : rng.chance(0.25) ? 'rail' : 'none',
    groceryTrips: rng.int(5, 12),
    eatingOut: Math.round(rng.int(2, 8) * Math.min(1.5, level)),
    shopping: Math.round(rng.int(2, 6) * Math.min(1.5, level)),
    online: rng.int(1, 5),
    taxis: rng.int(0, 4),
    atm: rng.int(0, 3),
    externalCard: rng.pick(merchantsFor('externalCards', region)),
    externalCardDay: rng.int(5, 24),
    currentBase: roundTo(income * rng.int(70, 160) / 100, 100),
    currentNoise: Math.min(15000, roundTo(income * 0.05, 100)),
    overdraft,
    storeSeed: mix(plan.seed[0], plan.seed[1], 301),
  }
  if (plan.savings) {
    const slope = Math.max(10000, roundTo(income * rng.int(4, 12) / 100, 500))
    const cap = rng.int(3000, 9000) * 100
    profile.savings = {
      base: roundTo(rng.int(30000, 500000), 100),
      slope,
      // The savings build up for `period` months, then most of them are spent at once (a holiday, a car).
      period: Math.max(6, Math.min(36, Math.floor(cap / slope))),
      phase: rng.int(0, 35),
      annualRate: rng.int(150, 450) / 10000,
      noise: 1000,
      day: 0,
    }
  }
  if (plan.card) {
    profile.card = { base: roundTo(rng.int(30000, 150000), 100), noise: 6000, limit: rng.pick([150000, 250000, 400000, 600000, 800000]), payDay: rng.int(3, 22), purchases: rng.int(5, 14) }
  }
  if (plan.fx) {
    profile.fx = { base: roundTo(rng.int(20000, 300000), 100), noise: 3000, purchases: rng.int(0, 5), day: rng.int(2, 26) }
  }
  return profile
}

const profiles = new Lru<string, Profile>(512)

export function profileOf (plan: CustomerPlan): Profile {
  return profiles.getOrCreate(`${plan.providerId}\u0000${plan.username}`, () => buildProfile(plan))
}

/** The store number a customer usually uses for a merchant (4-digit, or shorter for {n3}). */
export function usualStore (profile: Profile, merchantKey: string, digits: number): string {
  const n = hashString(merchantKey, profile.storeSeed) % 10 ** digits
  return String(n).padStart(digits, '0')
}

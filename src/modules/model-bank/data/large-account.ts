import type { CustomerPlan } from './accounts.ts'
import { DAY, HOUR, MINUTE, SECOND } from './calendar.ts'
import { type Feed, type Key, MAX_SETTLE_LAG, type Tx } from './feed.ts'
import { Lru } from './lru.ts'
import { type Merchant, merchantsFor } from './merchants.ts'
import { BUSINESS_CLIENTS } from './names.ts'
import { Rng, fmix32, hexId, mix } from './prng.ts'
import type { Profile } from './profile.ts'
import { describe } from './statement-text.ts'

/**
 * The large mock user's main account: one transaction per minute, forever (1 440 a day, over 1 050 000 in any
 * two-year window), never materialised. Transaction k sits in minute k since the Unix epoch, so its timestamp is
 * an increasing function of k and every question — a page, a count, a balance — is index arithmetic:
 *   timestamp(k) = k minutes + a few seconds (from a hash of k), strictly increasing;
 *   everything else about k (merchant, amount, pending or not, id) comes from a hash of (customer, k).
 * The last minute of each day carries the day's sweep to or from the customer's reserve, sized so that the ledger
 * balance at the start of day d is a pure function of d; a balance then costs one day of hashing, not a million
 * additions.
 */
const SLOT = MINUTE
const PER_DAY = DAY / SLOT
/** About 1 card payment in 70 is still pending; the rest of this account settles at once. */
const PENDING_PER_1000 = 15

interface Slot {
  h1: number
  h2: number
  h3: number
}

type Group = 'coffee' | 'groceries' | 'eatingOut' | 'transport' | 'online' | 'shopping' | 'credit' | 'atm'

const GROUPS: ReadonlyArray<readonly [Group, number]> = [
  ['coffee', 300], ['groceries', 200], ['eatingOut', 120], ['transport', 100], ['online', 100], ['shopping', 80], ['credit', 90], ['atm', 10],
]

function groupOf (sel: number): Group {
  let edge = 0
  for (const [group, weight] of GROUPS) {
    edge += weight
    if (sel < edge) return group
  }
  return 'credit'
}

export function largeFeed (plan: CustomerPlan, profile: Profile): Feed & { countBetween (lo: number, hi: number): number } {
  const [s0, s1] = plan.seed
  const region = plan.region
  const pools: Record<Group, Merchant[]> = {
    coffee: merchantsFor('coffee', region),
    groceries: merchantsFor('groceries', region),
    eatingOut: merchantsFor('eatingOut', region),
    transport: region === 'uk' ? merchantsFor('taxi', region).concat(merchantsFor('rail', region)) : merchantsFor('taxi', region),
    online: merchantsFor('online', region),
    shopping: merchantsFor('shopping', region),
    credit: [],
    atm: merchantsFor('atm', region),
  }
  /** Per day: the sum of its ordinary slots (for the sweep) and the slots that settle late (for pendingAt). */
  const days = new Lru<number, { sum: number, late: number[] }>(256)
  const slot = (k: number): Slot => {
    const h1 = mix(s0, s1, 900, k)
    const h2 = fmix32(h1 ^ 0x68e31da4)
    return { h1, h2, h3: fmix32(h2 ^ 0xb5297a4d) }
  }
  const isSweep = (k: number): boolean => ((k % PER_DAY) + PER_DAY) % PER_DAY === PER_DAY - 1
  const tsOf = (k: number, s: Slot): number => k * SLOT + (isSweep(k) ? 59 : s.h1 % 60) * SECOND
  const dayOpening = (d: number): number => profile.currentBase + ((mix(s0, s1, 901, d) % (2 * profile.currentNoise + 1)) - profile.currentNoise)

  const group = (s: Slot): Group => groupOf(s.h2 % 1000)
  const isCard = (g: Group): boolean => g !== 'credit' && g !== 'atm'
  const lagOf = (k: number, s: Slot): number =>
    !isSweep(k) && isCard(group(s)) && (s.h1 >>> 16) % 1000 < PENDING_PER_1000 ? (18 + ((s.h2 >>> 12) % 55)) * HOUR : 0

  /** Amount of an ordinary (non-sweep) slot. */
  const plainAmount = (s: Slot): number => {
    const g = group(s)
    if (g === 'credit') return 1000 + (s.h3 % 29000)
    if (g === 'atm') return -(2 + (s.h3 % 9)) * 1000
    const pool = pools[g]
    const merchant = pool[(s.h3 >>> 8) % pool.length]!
    return -(merchant.min + ((s.h1 >>> 6) % (merchant.max - merchant.min + 1)))
  }

  const dayOf = (d: number): { sum: number, late: number[] } => days.getOrCreate(d, () => {
    let sum = 0
    const late: number[] = []
    for (let k = d * PER_DAY; k < (d + 1) * PER_DAY - 1; k++) {
      const s = slot(k)
      sum += plainAmount(s)
      if (lagOf(k, s) > 0) late.push(k)
    }
    return { sum, late }
  })

  const amountOf = (k: number, s: Slot): number => {
    if (!isSweep(k)) return plainAmount(s)
    const d = Math.floor(k / PER_DAY)
    return dayOpening(d + 1) - dayOpening(d) - dayOf(d).sum
  }

  const idOf = (k: number): string => hexId(s0, s1, 9, k)

  const build = (k: number, s: Slot): Tx => {
    const amount = amountOf(k, s)
    const ts = tsOf(k, s)
    const lag = lagOf(k, s)
    const currency = plan.current.currency
    if (isSweep(k)) return { id: idOf(k), ts, amount, currency, description: amount < 0 ? 'DAILY SWEEP TO RESERVE' : 'DAILY SWEEP FROM RESERVE', lag }
    const g = group(s)
    const rng = new Rng(s.h1, s.h3)
    if (g === 'credit') {
      const client = BUSINESS_CLIENTS[s.h3 % BUSINESS_CLIENTS.length]!
      return { id: idOf(k), ts, amount, currency, description: `${client} FP ${rng.alnum(6)}`, merchant: client, lag }
    }
    const pool = pools[g]
    const merchant = pool[(s.h3 >>> 8) % pool.length]!
    const description = describe(merchant, profile, rng, region)
    if (g === 'atm') return { id: idOf(k), ts, amount, currency, description, category: merchant.category, lag }
    return { id: idOf(k), ts, amount, currency, description, merchant: merchant.name, category: merchant.category, lag }
  }

  /** The newest slot whose timestamp is ≤ t. */
  const lastAtOrBefore = (t: number): number => {
    const k = Math.floor(t / SLOT)
    return tsOf(k, slot(k)) <= t ? k : k - 1
  }

  function * between (lo: number, hi: number, after?: Key, settledAt?: number): Generator<Tx> {
    if (lo > hi) return
    let k = lastAtOrBefore(hi)
    if (after) k = Math.min(k, lastAtOrBefore(after.ts))
    for (; ; k--) {
      const s = slot(k)
      const ts = tsOf(k, s)
      if (ts < lo) return
      if (after && ts === after.ts && idOf(k) >= after.id) continue
      if (settledAt !== undefined && ts + lagOf(k, s) > settledAt) continue
      yield build(k, s)
    }
  }

  return {
    ledgerBefore (t) {
      const d = Math.floor(t / DAY)
      let balance = dayOpening(d)
      for (let k = d * PER_DAY; ; k++) {
        const s = slot(k)
        if (tsOf(k, s) >= t) return balance
        balance += amountOf(k, s)
      }
    },
    between,
    pendingAt (asOf) {
      // Only the few late-settling slots of the last four days can be pending.
      const out: Tx[] = []
      const today = Math.floor(asOf / DAY)
      for (let d = today; d >= today - Math.ceil(MAX_SETTLE_LAG / DAY); d--) {
        const late = dayOf(d).late
        for (let i = late.length - 1; i >= 0; i--) {
          const k = late[i]!
          const s = slot(k)
          const ts = tsOf(k, s)
          if (ts <= asOf && ts + lagOf(k, s) > asOf) out.push(build(k, s))
        }
      }
      return out
    },
    countBetween (lo, hi) {
      return lo > hi ? 0 : Math.max(0, lastAtOrBefore(hi) - lastAtOrBefore(lo - 1))
    },
  }
}

import type { BankAccount } from '../../providers/provider-adapter.ts'
import { findProvider } from '../../providers/provider.catalog.ts'
import { accountNumber, bankDetailsOf, iban, sortCode } from './identifiers.ts'
import { Lru } from './lru.ts'
import { FIRST_NAMES, SURNAMES } from './names.ts'
import { Rng, hashString, hexId } from './prng.ts'

/** The documented mock user whose main current account holds over a million transactions (see README, "Mock users"). */
export const LARGE_USERNAME = 'john.million'

export type AccountKind = 'current' | 'savings' | 'fx' | 'card'

export const KIND_CODE: Record<AccountKind, number> = { current: 1, savings: 2, fx: 3, card: 4 }

export interface AccountPlan {
  kind: AccountKind
  account: BankAccount
  currency: 'GBP' | 'EUR'
  /** Last four digits for statement text ("TRANSFER TO SAVINGS 1234"). */
  lastFour: string
}

/** Who the customer is and which accounts they hold; habits and amounts live in profile.ts. */
export interface CustomerPlan {
  providerId: string
  username: string
  /** Two 32-bit words derived from (provider, username): the root of every other random choice. */
  seed: readonly [number, number]
  firstName: string
  surname: string
  fullName: string
  segment: 'retail' | 'business'
  /** The provider's country; customers of continental providers bank in euros. */
  country: string
  region: 'uk' | 'eu'
  bankName: string
  large: boolean
  current: AccountPlan
  savings?: AccountPlan
  fx?: AccountPlan
  card?: AccountPlan
  /** In the order the bank lists them. */
  accounts: AccountPlan[]
}

function segmentOf (providerId: string, segments: readonly string[] | undefined): 'retail' | 'business' {
  if (/business|corporate|commercial/.test(providerId)) return 'business'
  // Business-only banks (Tide, Mettle) have no retail customers.
  if (segments && !segments.includes('retail')) return 'business'
  return 'retail'
}

function buildPlan (providerId: string, username: string): CustomerPlan {
  const key = `${providerId}\u0000${username}`
  const seed = [hashString(key), hashString(key, 0x2545f491)] as const
  const rng = new Rng(seed[0], seed[1], 100)
  const provider = findProvider(providerId)
  const country = provider?.country ?? 'GB'
  const region = country === 'GB' ? 'uk' : 'eu'
  const bankName = provider?.display_name ?? providerId
  const segment = segmentOf(providerId, provider?.customer_segments)
  const details = bankDetailsOf(providerId, bankName, country)
  const firstName = rng.pick(FIRST_NAMES)
  const surname = rng.pick(SURNAMES)
  const fullName = `${firstName} ${surname}`
  const large = username === LARGE_USERNAME
  const mainCurrency = region === 'uk' ? 'GBP' : 'EUR'

  const idOf = (kind: AccountKind): string => hexId(seed[0], seed[1], KIND_CODE[kind])
  const common = { customer_segment: segment, bic: details.bic, account_holder_names: [fullName] } as const

  const makeAccount = (kind: 'current' | 'savings' | 'fx', currency: 'GBP' | 'EUR'): AccountPlan => {
    const accountRng = new Rng(seed[0], seed[1], 200 + KIND_CODE[kind])
    const account: BankAccount = {
      id: idOf(kind),
      type: 'account',
      currency,
      account_type: kind === 'savings' ? 'savings' : 'current',
      ...common,
      account_holder_names: [fullName],
      display_name: displayName(kind, segment),
    }
    let lastFour: string
    if (region === 'uk') {
      const scan = { sortCode: sortCode(accountRng, details.sortPrefix), accountNumber: accountNumber(accountRng) }
      lastFour = scan.accountNumber.slice(-4)
      // A UK bank's euro account is identified by an IBAN; its sterling accounts by sort code and account number.
      account.account_identifiers = kind === 'fx'
        ? [{ type: 'iban', iban: iban(accountRng, 'GB', details.bic, scan) }]
        : [{ type: 'sort_code_account_number', sort_code: scan.sortCode, account_number: scan.accountNumber }]
    } else {
      const value = iban(accountRng, country, details.bic)
      lastFour = value.slice(-4)
      account.account_identifiers = [{ type: 'iban', iban: value }]
    }
    return { kind, account, currency, lastFour }
  }

  const current = makeAccount('current', mainCurrency)
  const savings = !large && rng.chance(segment === 'business' ? 0.5 : 0.7) ? makeAccount('savings', mainCurrency) : undefined
  const fx = !large && region === 'uk' && rng.chance(segment === 'business' ? 0.3 : 0.25) ? makeAccount('fx', 'EUR') : undefined
  let card: AccountPlan | undefined
  if (!large && rng.chance(0.3)) {
    const cardRng = new Rng(seed[0], seed[1], 204)
    card = {
      kind: 'card',
      // On the v3 wire a card is only {id, type, currency}; display_name stays inside Ledgerite.
      account: { id: idOf('card'), type: 'card', currency: mainCurrency, display_name: segment === 'business' ? 'Business Credit Card' : 'Credit Card' },
      currency: mainCurrency,
      lastFour: cardRng.digits(4),
    }
  }
  const accounts = [current, savings, fx, card].filter((a): a is AccountPlan => a !== undefined)
  return { providerId, username, seed, firstName, surname, fullName, segment, country, region, bankName, large, current, savings, fx, card, accounts }
}

function displayName (kind: 'current' | 'savings' | 'fx', segment: 'retail' | 'business'): string {
  const base = kind === 'current' ? 'Current Account' : kind === 'savings' ? 'Savings Account' : 'Euro Account'
  return segment === 'business' ? `Business ${base}` : base
}

const plans = new Lru<string, CustomerPlan>(512)

export function planOf (providerId: string, username: string): CustomerPlan {
  return plans.getOrCreate(`${providerId}\u0000${username}`, () => buildPlan(providerId, username))
}

export function findAccount (plan: CustomerPlan, accountId: string): AccountPlan | undefined {
  return plan.accounts.find((a) => a.account.id === accountId)
}

import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import type { LightMyRequestResponse } from 'fastify'
import { insertConnection } from '../../src/modules/connections/connection.repository.ts'
import { accessExpiresAt } from '../../src/modules/connections/connection.policy.ts'
import type {
  BankAccount,
  BankBalance,
  BankError,
  BankGrant,
  BankTransaction,
  BankTransactionPage,
  ProviderAdapter,
} from '../../src/modules/providers/provider-adapter.ts'
import type { TestApp, TestClient } from '../helpers/build-app.ts'
import { connectionRow } from '../helpers/connection-row.ts'

/**
 * A deterministic stand-in for the bank behind the adapter, for tests of the data module on its own: four
 * accounts the user shares (ids chosen so that sorting by type then id reorders them), one they do not, and for
 * each account a history anchored to `asOf` with several transactions per timestamp (to exercise the id
 * tie-break) and two pending ones.
 */
export const ACCOUNTS: BankAccount[] = [
  {
    id: 'f3a1c0de00000000000000000000cafe', type: 'account', currency: 'GBP', account_type: 'current', customer_segment: 'retail',
    account_identifiers: [{ type: 'sort_code_account_number', sort_code: '560029', account_number: '26207729' }],
    bic: 'MONZGB2LXXX', account_holder_names: ['Jane Smith'], display_name: 'Current account',
  },
  { id: '5d11000000000000000000000000card', type: 'card', currency: 'GBP', display_name: 'Credit card' },
  {
    id: '0b7e5a0000000000000000000000beef', type: 'account', currency: 'GBP', account_type: 'savings', customer_segment: 'retail',
    account_identifiers: [{ type: 'sort_code_account_number', sort_code: '560029', account_number: '11223344' }],
    account_holder_names: ['Jane Smith'], display_name: 'Savings',
  },
  {
    id: '9c2d000000000000000000000000e0e0', type: 'account', currency: 'EUR', account_type: 'current', customer_segment: 'retail',
    account_identifiers: [{ type: 'iban', iban: 'GB32CLRB04066800012315' }], account_holder_names: [], display_name: 'Euro account',
  },
  {
    id: 'aa00000000000000000000000000h1dd', type: 'account', currency: 'GBP', account_type: 'current', customer_segment: 'business',
    account_identifiers: [{ type: 'sort_code_account_number', sort_code: '040004', account_number: '99887766' }], account_holder_names: ['Jane Smith Ltd'],
  },
]
/** What the user chose at the bank: every account but the last. */
export const CHOSEN = ACCOUNTS.slice(0, 4).map((a) => a.id)
export const HIDDEN_ACCOUNT = ACCOUNTS[4]!.id
export const CURRENT = ACCOUNTS[0]!.id
export const SAVINGS = ACCOUNTS[2]!.id

export const day = (d: Date): string => d.toISOString().slice(0, 10)
const addDays = (d: Date, n: number): Date => new Date(d.getTime() + n * 86_400_000)

/** The fake bank's whole history of an account at `asOf` (settled: `days` days back, 3 per day; 2 pending). */
export function historyOf (accountId: string, asOf: Date, days = 120): BankTransaction[] {
  const currency = ACCOUNTS.find((a) => a.id === accountId)?.currency ?? 'GBP'
  const out: BankTransaction[] = []
  for (let i = 0; i < days * 3; i++) {
    const date = day(addDays(asOf, -1 - Math.floor(i / 3)))
    out.push({
      id: `${accountId.slice(0, 4)}-tx-${String(i).padStart(5, '0')}`,
      // Two of each day's three share a timestamp: the order then rests on the id.
      timestamp: `${date}T${i % 3 === 2 ? '08:30:00' : '12:00:00'}Z`,
      description: i % 3 === 0 ? 'TESCO STORES 2291' : i % 3 === 1 ? 'TFL TRAVEL CH' : 'SALARY ACME LTD',
      currency,
      amount_in_minor: i % 3 === 2 ? 250_000 : -(1000 + i),
      status: 'settled',
      ...(i % 3 === 0 ? { merchant_name: 'Tesco', category_code: 'C_SH_01', category_name: 'Shopping - Groceries' } : {}),
      ...(i % 3 === 2 ? { category_code: 'C_IN_00', category_name: 'Income - Salary' } : {}),
    })
  }
  for (let p = 0; p < 2; p++) {
    out.push({
      id: `${accountId.slice(0, 4)}-pending-${p}`, timestamp: asOf.toISOString().replace(/\.\d{3}Z$/, 'Z'), description: 'AMAZON MKTPLACE',
      currency, amount_in_minor: -(2599 + p), status: 'pending', merchant_name: 'Amazon',
    })
  }
  return out
}

const desc = (a: BankTransaction, b: BankTransaction): number =>
  a.timestamp !== b.timestamp ? (a.timestamp < b.timestamp ? 1 : -1) : a.id < b.id ? 1 : a.id > b.id ? -1 : 0

/** What the bank answers for a range: settled ones in [from, to] and every pending one, newest first. */
export function expectedRange (accountId: string, asOf: Date, from: string, to: string): BankTransaction[] {
  return historyOf(accountId, asOf)
    .filter((t) => t.status === 'pending' || (t.timestamp.slice(0, 10) >= from && t.timestamp.slice(0, 10) <= to))
    .sort(desc)
}

export interface FakeBank extends ProviderAdapter {
  calls: Array<{ method: string, asOf?: Date, grant?: BankGrant, query?: unknown }>
  revoked: BankGrant[]
  /** Set to make every data call fail with this bank error. */
  failWith: BankError | undefined
  /** Extra accounts the bank reports (e.g. to exceed 50). */
  accounts: BankAccount[]
}

export function fakeBank (): FakeBank {
  const bank: FakeBank = {
    calls: [],
    revoked: [],
    failWith: undefined,
    accounts: [...ACCOUNTS],
    createConsent: async () => { throw new Error('not used by these tests') },
    exchangeCode: async () => { throw new Error('not used by these tests') },
    async getUserInfo (grant, _providerId, asOf) {
      bank.calls.push({ method: 'getUserInfo', grant, asOf })
      if (bank.failWith) throw bank.failWith
      return { name: 'Jane Smith' }
    },
    async getAccounts (grant, _providerId, asOf) {
      bank.calls.push({ method: 'getAccounts', grant, asOf })
      if (bank.failWith) throw bank.failWith
      return bank.accounts
    },
    async getBalance (grant, _providerId, accountId, asOf): Promise<BankBalance> {
      bank.calls.push({ method: 'getBalance', grant, asOf, query: { accountId } })
      if (bank.failWith) throw bank.failWith
      return { currency: 'GBP', current: 123_456, available: 173_456, overdraft: 50_000, update_timestamp: asOf.toISOString() }
    },
    async getTransactions (grant, _providerId, accountId, query): Promise<BankTransactionPage> {
      bank.calls.push({ method: 'getTransactions', grant, asOf: query.asOf, query })
      if (bank.failWith) throw bank.failWith
      const all = expectedRange(accountId, query.asOf, query.from, query.to)
      let start = 0
      if (query.cursor) {
        const [ts, id] = Buffer.from(query.cursor, 'base64url').toString().split('|')
        start = all.findIndex((t) => t.timestamp < ts! || (t.timestamp === ts && t.id < id!))
        if (start < 0) start = all.length
      }
      const items = all.slice(start, start + query.pageSize)
      const last = items.at(-1)
      const more = start + query.pageSize < all.length
      return { items, nextCursor: more && last ? Buffer.from(`${last.timestamp}|${last.id}`).toString('base64url') : null }
    },
    async revoke (grant) {
      bank.calls.push({ method: 'revoke', grant })
      if (bank.failWith) throw bank.failWith
      bank.revoked.push(grant)
    },
  }
  return bank
}

export const ALL_SCOPES = ['info', 'accounts', 'balance', 'transactions']

/**
 * Inserts a connection directly, as the journey would leave it (authorised by default, with a bank grant for
 * the chosen accounts). Returns its id.
 */
export async function seedConnection (
  h: TestApp,
  client: TestClient,
  opts: {
    status?: 'authorization_required' | 'authorizing' | 'authorized' | 'failed' | 'revoked' | 'expired'
    scopes?: string[]
    dataAccessType?: 'one_time' | 'recurring'
    accountIds?: string[]
    id?: string
  } = {},
): Promise<string> {
  const id = opts.id ?? randomUUID()
  const now = await h.deps.clock.now(client.id)
  const at = now.toISOString()
  const status = opts.status ?? 'authorized'
  const reached = ['authorized', 'revoked', 'expired'].includes(status)
  const dataAccessType = opts.dataAccessType ?? 'recurring'
  const grant: BankGrant = { accessToken: `bank-token-${id}`, consentId: `consent-${id}`, accountIds: opts.accountIds ?? CHOSEN, expiresAt: accessExpiresAt(now, dataAccessType).toISOString() }
  await insertConnection(h.deps.db, connectionRow({
    id,
    client_id: client.id,
    status,
    user_id: randomUUID(),
    user_name: 'Jane Smith',
    user_email: 'jane.smith@example.com',
    scopes: JSON.stringify(opts.scopes ?? ALL_SCOPES),
    provider_selection: JSON.stringify({ type: 'preselected', provider_id: 'ob-monzo' }),
    provider_id: reached ? 'ob-monzo' : null,
    user_consent: JSON.stringify({ type: 'authorization_flow_captured' }),
    hosted_page: JSON.stringify({ type: 'authorization_flow', return_uri: 'https://your-app.com/callback' }),
    data_access_type: dataAccessType,
    account_ids: reached ? JSON.stringify(opts.accountIds ?? CHOSEN) : null,
    provider_state: reached ? JSON.stringify(grant) : null,
    failure_stage: status === 'failed' ? 'authorizing' : null,
    failure_reason: status === 'failed' ? 'provider_rejected' : null,
    created_at: at,
    updated_at: at,
    authorized_at: reached ? at : null,
    failed_at: status === 'failed' ? at : null,
    revoked_at: status === 'revoked' ? at : null,
    expired_at: status === 'expired' ? at : null,
    access_expires_at: reached ? accessExpiresAt(now, dataAccessType).toISOString() : null,
  }))
  return id
}

/** An app with the fake bank in place of the model bank's adapter. */
export function useFakeBank (h: TestApp): FakeBank {
  const bank = fakeBank()
  h.deps.adapter = bank
  return bank
}

export const ERROR_TYPES = {
  invalidParameters: 'https://docs.truelayer.com/docs/error-types#invalid-parameters',
  invalidState: 'https://docs.truelayer.com/docs/error-types#invalid_state',
  unauthenticated: 'https://docs.truelayer.com/docs/error-types#unauthenticated',
  forbidden: 'https://docs.truelayer.com/docs/error-types#forbidden',
  notFound: 'https://docs.truelayer.com/docs/error-types#not-found',
  rateLimitExceeded: 'https://docs.truelayer.com/docs/error-types#rate-limit-exceeded',
  providerError: 'https://docs.truelayer.com/docs/error-types#provider-error',
} as const

/** Asserts a problem+json answer: status, type, title; returns the body. */
// biome-ignore lint/suspicious/noExplicitAny: a JSON body
export function assertProblem (res: LightMyRequestResponse, status: number, type: string, title: string): any {
  assert.equal(res.statusCode, status, res.body.slice(0, 500))
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/)
  const body = res.json()
  assert.equal(body.type, type)
  assert.equal(body.title, title)
  assert.equal(body.status, status)
  assert.equal(typeof body.trace_id, 'string')
  assert.equal(typeof body.detail, 'string')
  return body
}

/** Requests against the data endpoints for one client and connection. */
export function dataCalls (h: TestApp, client: TestClient, connectionId: string) {
  const headers = (extra: Record<string, string> = {}) => ({ ...client.auth, 'connection-id': connectionId, ...extra })
  return {
    userInfo: (extra: Record<string, string> = {}) =>
      h.inject({ method: 'GET', url: `/v3/data-connections/${connectionId}/user-info`, headers: { ...client.auth, ...extra } }),
    accounts: (query = '', extra: Record<string, string> = {}) =>
      h.inject({ method: 'GET', url: `/v3/connected-accounts${query}`, headers: headers(extra) }),
    createRequest: (accountId: string, payload: Record<string, unknown>, extra: Record<string, string> = {}) =>
      h.inject({ method: 'POST', url: `/v3/connected-accounts/${accountId}/transactions/requests`, headers: headers(extra), payload }),
    getRequest: (accountId: string, requestId: string, extra: Record<string, string> = {}) =>
      h.inject({ method: 'GET', url: `/v3/connected-accounts/${accountId}/transactions/requests/${requestId}`, headers: headers(extra) }),
    balance: (accountId: string, extra: Record<string, string> = {}) =>
      h.inject({ method: 'GET', url: `/v3/connected-accounts/${accountId}/balance`, headers: headers(extra) }),
    revoke: () => h.inject({ method: 'DELETE', url: `/v3/data-connections/${connectionId}`, headers: client.auth }),
  }
}

/** A header that lifts the unattended limit. */
export const PRESENT = { 'tl-user-ip': '203.0.113.7' }

export async function webhookRows (h: TestApp, clientId: string, type: string) {
  const rows = await h.deps.db.selectFrom('webhook_events').select(['type', 'payload'])
    .where('client_id', '=', clientId).where('type', '=', type).execute()
  return rows.map((r) => JSON.parse(r.payload))
}

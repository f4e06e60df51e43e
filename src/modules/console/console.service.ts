import type { Kysely } from 'kysely'
import { WEBHOOK_EVENTS } from '../../client/webhook-events.ts'
import { ApiError } from '../../contract/errors.ts'
import type { Deps } from '../../deps.ts'
import type { Database } from '../../storage/database.ts'
import { decodePosition, encodePosition, type KeysetPosition, keysetPage } from '../../storage/keyset.ts'
import { expireDueConnections } from '../connections/connection.lifecycle.ts'
import { type Connection, toConnection } from '../connections/connection.model.ts'
import { findConnection, listConnectionEvents, listConnectionsPage } from '../connections/connection.repository.ts'
import { listConnectionTransactionsRequests } from '../data/transactions-request.repository.ts'
import { findSession as findJourneySession } from '../journey/journey-session.repository.ts'
import { findProvider } from '../providers/provider.catalog.ts'
import { BankError, type BankAccount, type BankGrant, type BankTransaction } from '../providers/provider-adapter.ts'
import { type Delivery, listConnectionDeliveries, listDeliveries } from '../webhooks/webhook.repository.ts'
import { balanceChart, type ChartModel, dailyBalances, dayOf, formatMoney } from './console.chart.ts'

/**
 * What the Console's pages show, gathered from the modules that own it: connections and their timeline
 * (connections), webhook deliveries and attempts (webhooks), accounts, balances and transactions (the bank, through
 * the provider adapter, read as the client's virtual "today"). Every read is scoped by the signed-in client.
 */

export const PAGE_SIZE = 20
/** How far back the balance chart goes. */
export const CHART_DAYS = 90
/** Bound on transaction pages read for one chart (500 each): a runaway cursor cannot hang the page. */
const MAX_TRANSACTION_PAGES = 40

export interface ConnectionListItem {
  id: string
  status: string
  provider: string
  userName: string | null
  createdAt: string
  authorizedAt: string | null
}

const providerLabel = (c: Pick<Connection, 'providerId'>): string => {
  if (!c.providerId) return 'not chosen yet'
  return findProvider(c.providerId)?.display_name ? `${findProvider(c.providerId)!.display_name} (${c.providerId})` : c.providerId
}

/** A position in a newest-first list, as it appears in a Console URL (`?after=`): the one cursor format (storage/keyset.ts). */
export type PageCursor = KeysetPosition
const CURSOR_PURPOSE = 'console'
export const encodeCursor = (secret: Buffer, c: PageCursor): string => encodePosition(secret, CURSOR_PURPOSE, c)
/** The position in an `after` the Console made, else undefined (the page answers 404). */
export function decodeCursor (secret: Buffer, s: string | undefined): PageCursor | undefined {
  return s ? decodePosition(secret, CURSOR_PURPOSE, s) : undefined
}

/** Newest first, keyset-paged on (created_at, id) so connections made in the same millisecond are all shown. */
export async function connectionsPage (deps: Deps, clientId: string, after?: PageCursor): Promise<{ items: ConnectionListItem[], next?: string }> {
  const rows = await listConnectionsPage(deps.db, clientId, { limit: PAGE_SIZE + 1, ...(after ? { after } : {}) })
  const page = keysetPage(rows.map(toConnection), PAGE_SIZE, (c) => ({ createdAt: c.createdAt, id: c.id }))
  return {
    items: page.items.map((c) => ({ id: c.id, status: c.status, provider: providerLabel(c), userName: c.user.name, createdAt: c.createdAt, authorizedAt: c.authorizedAt })),
    ...(page.next ? { next: encodeCursor(deps.secret, page.next) } : {}),
  }
}

export interface TimelineEntry {
  at: string
  kind: 'connection' | 'status' | 'journey' | 'data' | 'webhook'
  title: string
  /** Key/value pairs shown under the title (already plain text; the template escapes them). */
  details: Array<[string, string]>
  /** For webhook entries: the delivery with its attempts. */
  delivery?: Delivery
  tone: 'ok' | 'bad' | 'neutral'
}

const STATUS_TONE: Record<string, TimelineEntry['tone']> = { authorized: 'ok', failed: 'bad', revoked: 'bad', expired: 'bad' }

function describeEvent (kind: string): { title: string, kind: TimelineEntry['kind'], tone: TimelineEntry['tone'] } {
  if (kind.startsWith('status:')) {
    const to = kind.slice('status:'.length)
    return { title: `Status changed to ${to}`, kind: 'status', tone: STATUS_TONE[to] ?? 'neutral' }
  }
  const known: Record<string, string> = { created: 'Connection created', bank_redirect: 'User sent to the bank' }
  return { title: known[kind] ?? kind.replaceAll(/[_:.]+/g, ' ').replace(/^./, (c) => c.toUpperCase()), kind: 'connection', tone: 'neutral' }
}

const stringify = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))

/** The time a webhook reports (the body's field the catalogue names, on the client's clock like the timeline), else when it was queued. */
function webhookTime (d: Delivery): string {
  const field = (WEBHOOK_EVENTS as Record<string, { reportedAt: string } | undefined>)[d.type]?.reportedAt
  const at = field ? (d.payload as Record<string, unknown>)[field] : undefined
  return typeof at === 'string' ? at : d.created_at
}

/** The hosted pages' steps, from their per-connection state (only the steps it keeps a time for). */
async function journeyEntries (db: Kysely<Database>, clientId: string, connectionId: string): Promise<TimelineEntry[]> {
  const s = await findJourneySession(db, connectionId)
  if (!s || s.client_id !== clientId) return []
  const out: TimelineEntry[] = [{ at: s.created_at, kind: 'journey', title: 'Hosted page opened', details: [], tone: 'neutral' }]
  if (s.consent_given_at) {
    out.push({ at: s.consent_given_at, kind: 'journey', title: 'Consent given on the hosted page', details: s.provider_id ? [['provider_id', s.provider_id]] : [], tone: 'neutral' })
  }
  if (s.handoff_opened_at) out.push({ at: s.handoff_opened_at, kind: 'journey', title: 'Hand-off link opened on a phone (QR code)', details: [], tone: 'neutral' })
  return out
}

async function dataEntries (db: Kysely<Database>, clientId: string, connectionId: string): Promise<TimelineEntry[]> {
  return (await listConnectionTransactionsRequests(db, clientId, connectionId)).map((r) => {
    const details: Array<[string, string]> = [['request_id', r.id], ['account_id', r.account_id], ['from', r.date_from], ['to', r.date_to], ['status', r.status]]
    if (r.status === 'completed' && r.result) details.push(['items', String((JSON.parse(r.result) as { items?: unknown[] }).items?.length ?? 0)])
    if (r.failure_reason) details.push(['failure_reason', r.failure_reason])
    return { at: r.created_at, kind: 'data', title: 'Transactions request', details, tone: r.status === 'failed' ? 'bad' : 'neutral' }
  })
}

const TIE_RANK: Record<TimelineEntry['kind'], number> = { journey: 1, connection: 2, status: 3, data: 4, webhook: 5 }

export async function timeline (deps: Deps, clientId: string, connectionId: string): Promise<TimelineEntry[]> {
  const events = await listConnectionEvents(deps.db, clientId, connectionId)
  const entries: TimelineEntry[] = events.map((e) => {
    const d = describeEvent(e.kind)
    const detail = e.detail ? JSON.parse(e.detail) as Record<string, unknown> : {}
    return { at: e.at, kind: d.kind, title: d.title, tone: d.tone, details: Object.entries(detail).map(([k, v]) => [k, stringify(v)]) }
  })
  entries.push(...await journeyEntries(deps.db, clientId, connectionId))
  entries.push(...await dataEntries(deps.db, clientId, connectionId))
  for (const delivery of await listConnectionDeliveries(deps.db, clientId, connectionId)) {
    entries.push({
      at: webhookTime(delivery),
      kind: 'webhook',
      title: `Webhook ${delivery.type}`,
      tone: delivery.status === 'delivered' ? 'ok' : delivery.status === 'failed' ? 'bad' : 'neutral',
      details: [['event_id', delivery.event_id], ['delivery', delivery.status]],
      delivery,
    })
  }
  // Steps recorded in one request share an instant (consent given, sent to the bank, authorizing); for those the
  // order of a journey is the tie-break: created, hosted page, bank, status, data, webhook.
  const rank = (e: TimelineEntry): number => (e.title === 'Connection created' ? 0 : TIE_RANK[e.kind])
  return entries.map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.at < b.e.at ? -1 : a.e.at > b.e.at ? 1 : rank(a.e) - rank(b.e) || a.i - b.i))
    .map((x) => x.e)
}

export interface AccountView {
  id: string
  name: string
  description: string
  balance?: string
  chart?: ChartModel
  /** Why there is no balance or chart, when there is none. */
  note?: string
}

export interface AccountsView {
  accounts: AccountView[]
  /** Why no accounts are shown, when none are. */
  note?: string
}

const bankFailure = (err: unknown): string => {
  if (err instanceof BankError) return `The bank answered with an error (${err.reason}).`
  if (err instanceof ApiError) return err.message
  throw err
}

function describeAccount (a: BankAccount): string {
  const parts: string[] = [a.type === 'card' ? 'card' : `${a.account_type ?? 'account'}`, a.currency]
  for (const id of a.account_identifiers ?? []) {
    parts.push(id.type === 'iban' ? `IBAN ${id.iban}` : `sort code ${id.sort_code.replace(/(\d\d)(\d\d)(\d\d)/, '$1-$2-$3')}, account ${id.account_number}`)
  }
  return parts.join(' · ')
}

/**
 * Transactions of the last CHART_DAYS days up to `asOf`, newest first, page by page up to MAX_TRANSACTION_PAGES.
 * `complete` is false when the bound stopped the reading early (an account with thousands of transactions a day).
 */
async function recentTransactions (deps: Deps, grant: BankGrant, providerId: string, accountId: string, asOf: Date) {
  const from = dayOf(new Date(asOf.getTime() - CHART_DAYS * 86_400_000))
  const to = dayOf(asOf)
  const items: BankTransaction[] = []
  let cursor: string | undefined
  for (let page = 0; page < MAX_TRANSACTION_PAGES; page++) {
    const r = await deps.adapter.getTransactions(grant, providerId, accountId, { from, to, pageSize: 500, asOf, ...(cursor ? { cursor } : {}) })
    items.push(...r.items)
    if (!r.nextCursor) return { items, complete: true }
    cursor = r.nextCursor
  }
  return { items, complete: false }
}

/**
 * Days the chart can show: all CHART_DAYS + 1 when every transaction was read; otherwise only the days after the
 * oldest settled one read (that day itself may be missing some), so no day is drawn from partial data.
 */
function chartDays (today: string, txs: BankTransaction[], complete: boolean): number {
  if (complete) return CHART_DAYS + 1
  const oldest = txs.filter((t) => t.status === 'settled').map((t) => t.timestamp.slice(0, 10)).sort()[0]
  if (!oldest) return 0
  return Math.min(CHART_DAYS + 1, Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${oldest}T00:00:00Z`)) / 86_400_000))
}

/**
 * The connection's accounts, each with its balance and a chart of the last 90 days, read from the bank with the
 * connection's grant. The Console reads as the client, not as an end user: these reads do not count against the
 * unattended-access limit and are not recorded on the timeline.
 */
export async function accounts (deps: Deps, c: Connection): Promise<AccountsView> {
  if (c.status !== 'authorized') {
    return { accounts: [], note: c.status === 'authorization_required' || c.status === 'authorizing' ? 'The user has not authorised this connection yet.' : `The connection is ${c.status}: its data can no longer be read.` }
  }
  if (!c.scopes.includes('accounts')) return { accounts: [], note: 'The connection was not consented for the accounts scope.' }
  if (!c.providerId || !c.providerState) return { accounts: [], note: 'The connection holds no bank grant.' }
  const grant = c.providerState as BankGrant
  const providerId = c.providerId
  const asOf = await deps.clock.now(c.clientId)
  let list: BankAccount[]
  try {
    list = await deps.adapter.getAccounts(grant, providerId, asOf)
  } catch (err) {
    return { accounts: [], note: bankFailure(err) }
  }
  if (c.accountIds.length > 0) list = list.filter((a) => c.accountIds.includes(a.id))
  const out: AccountView[] = []
  for (const a of list) {
    const view: AccountView = { id: a.id, name: a.display_name ?? a.id, description: describeAccount(a) }
    out.push(view)
    if (!c.scopes.includes('balance') || !c.scopes.includes('transactions')) {
      view.note = 'The balance chart needs the balance and transactions scopes, which this connection was not consented for.'
      continue
    }
    try {
      const balance = await deps.adapter.getBalance(grant, providerId, a.id, asOf)
      view.balance = formatMoney(balance.current, balance.currency)
      const { items: txs, complete } = await recentTransactions(deps, grant, providerId, a.id, asOf)
      const days = chartDays(dayOf(asOf), txs, complete)
      const chart = balanceChart(dailyBalances(balance.current, txs, dayOf(asOf), days), balance.currency)
      if (chart) view.chart = chart
      if (!complete) {
        view.note = `This account has more than ${(MAX_TRANSACTION_PAGES * 500).toLocaleString('en-GB')} transactions in the last ${CHART_DAYS} days, ` +
          `more than the Console reads for one page: ${chart ? `the chart covers the last ${days - 1} days` : 'no chart is drawn'}.`
      }
    } catch (err) {
      view.note = bankFailure(err)
    }
  }
  return { accounts: out, ...(out.length === 0 ? { note: 'The bank returned no accounts for this connection.' } : {}) }
}

export interface ConnectionDetail {
  connection: Connection
  provider: string
  timeline: TimelineEntry[]
  accounts: AccountsView
}

/** Another client's connection, or an unknown id: 404, the same answer, so ids cannot be probed. */
export async function connectionDetail (deps: Deps, clientId: string, connectionId: string): Promise<ConnectionDetail> {
  // Like GET /v3/data-connections/{id}: a connection whose access ended is shown as expired, not as authorized.
  await expireDueConnections(deps.db, clientId, await deps.clock.now(clientId))
  const row = await findConnection(deps.db, clientId, connectionId)
  if (!row) throw new ApiError('NOT_FOUND', 'No connection with this id belongs to your client.')
  const connection = toConnection(row)
  return {
    connection,
    provider: providerLabel(connection),
    timeline: await timeline(deps, clientId, connectionId),
    accounts: await accounts(deps, connection),
  }
}

export async function deliveriesPage (deps: Deps, clientId: string, after?: PageCursor): Promise<{ items: Delivery[], next?: string }> {
  const r = await listDeliveries(deps.db, clientId, { limit: PAGE_SIZE, ...(after ? { after } : {}) })
  return { items: r.items, ...(r.next ? { next: encodeCursor(deps.secret, r.next) } : {}) }
}

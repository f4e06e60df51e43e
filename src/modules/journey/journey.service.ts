import { timingSafeEqual } from 'node:crypto'
import { ApiError } from '../../contract/errors.ts'
import { sha256 } from '../../contract/ids.ts'
import type { Deps } from '../../deps.ts'
import type { ConnectionRow } from '../../storage/database.ts'
import { type Client, findClient } from '../auth/client.repository.ts'
import { beginBankAuthorization, withAddedQuery } from '../connections/connection.authorization.ts'
import { type NextStep, nextStepsAfterBankFailure } from '../connections/bank-retry.policy.ts'
import { cancelBeforeBank, failConnection, giveUpAfterBankFailure as giveUp, setAsideBankFailure } from '../connections/connection.lifecycle.ts'
import { type Connection, configurationOf, returnUriOf, toConnection } from '../connections/connection.model.ts'
import { POLICY } from '../connections/connection.policy.ts'
import { findConnectionById } from '../connections/connection.repository.ts'
import { isRegisteredReturnUri } from '../connections/rules/return-uris.ts'
import { findProvider, type Provider } from '../providers/provider.catalog.ts'
import { filterProviders, type ProviderFilter } from '../providers/provider.filter.ts'
import { BankError } from '../providers/provider-adapter.ts'
import { findBranding } from '../auth/client-branding.repository.ts'
import { JourneyPageError } from './journey.errors.ts'
import { signLink, verifyLink } from './journey-links.ts'
import { findSession, type JourneySession, openSession, updateSession } from './journey-session.repository.ts'

/**
 * The hosted pages' rules, apart from HTTP: who may see a page (credential checks), which step a connection is
 * at, and the moves a page may make. Status changes go through connection.lifecycle.ts and the bank step only.
 */

/** Statuses after which the journey is over and only the result remains to show. */
const FINAL = new Set(['authorized', 'failed', 'revoked', 'expired'])
export const isFinal = (status: string): boolean => FINAL.has(status)

/**
 * The bank failed the last attempt and the journey offers another (bank-retry.policy.ts): the connection waits
 * for the user at `authorization_required`, not failed yet, and every page of it shows what happened and the way on.
 */
export const isHeld = (c: Connection): boolean => c.status === 'authorization_required' && c.bankFailureReason !== null
export const heldNextSteps = (c: Connection): NextStep[] => isHeld(c) ? nextStepsAfterBankFailure(c, c.bankFailureReason!) : []

export interface Loaded {
  connection: Connection
  session: JourneySession | undefined
  now: Date
}

const sameHash = (a: string | null | undefined, b: string): boolean =>
  !!a && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

async function loadRow (deps: Deps, id: string): Promise<ConnectionRow> {
  // Ids are UUIDs; anything else cannot exist, and is not worth a query.
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new JourneyPageError('invalid')
  const row = await findConnectionById(deps.db, id)
  if (!row) throw new JourneyPageError('invalid')
  return row
}
export const loadConnection = async (deps: Deps, id: string): Promise<Connection> => toConnection(await loadRow(deps, id))

/**
 * The hosted-page token: valid while the connection holds its hash (until the journey ends), and afterwards
 * through the session's copy, which only ever leads to the result page. The first valid visit opens the session.
 * An expired link fails a connection still waiting for the user (`journey_expired`).
 */
export async function loadByToken (deps: Deps, id: string, token: string | undefined): Promise<Loaded> {
  if (!token || token.length > 200) throw new JourneyPageError('invalid')
  const row = await loadRow(deps, id)
  const connection = toConnection(row)
  const hash = sha256(token)
  let session = await findSession(deps.db, id)
  const live = sameHash(row.journey_token_hash, hash)
  if (!live && !sameHash(session?.token_hash, hash)) throw new JourneyPageError('invalid', connection.hostedPage?.language_code)
  const now = await deps.clock.now(connection.clientId)
  if (!session) session = await openSession(deps.db, { connectionId: id, clientId: connection.clientId, tokenHash: hash, now })
  await assertJourneyOpen(deps, connection, now)
  return { connection, session, now }
}

/**
 * A journey link is good for POLICY.journeyLinkTtlHours until the user leaves for the bank. Past that, a
 * connection still waiting for the user fails (`journey_expired`, or the bank's reason when a failed attempt was
 * held and the user never came back to it) and the page says the link expired, with the way back to the client.
 */
export async function assertJourneyOpen (deps: Deps, connection: Connection, now: Date): Promise<void> {
  if (connection.status !== 'authorization_required' || !connection.journeyExpiresAt) return
  if (Date.parse(connection.journeyExpiresAt) > now.getTime()) return
  try {
    await failConnection(deps.db, connection.clientId, connection.id, now, connection.bankFailureReason ?? 'journey_expired')
  } catch (err) {
    // Another request moved it first (the bank step, or a concurrent visit that expired it): nothing to do.
    if (!(err instanceof ApiError)) throw err
  }
  const failed = toConnection((await findConnectionById(deps.db, connection.id))!)
  const client = await findClient(deps.db, connection.clientId)
  throw new JourneyPageError('expired', connection.hostedPage?.language_code, client
    ? { clientName: client.name, continueHref: continueUri(failed, client) }
    : undefined)
}

/** The phone's credential (cookie set when the hand-off link was opened). */
export async function loadByPhone (deps: Deps, id: string, phoneToken: string | undefined): Promise<Loaded & { session: JourneySession }> {
  if (!phoneToken || phoneToken.length > 200) throw new JourneyPageError('invalid')
  const connection = await loadConnection(deps, id)
  const session = await findSession(deps.db, id)
  if (!session || !sameHash(session.mobile_token_hash, sha256(phoneToken))) throw new JourneyPageError('invalid', connection.hostedPage?.language_code)
  const now = await deps.clock.now(connection.clientId)
  await assertJourneyOpen(deps, connection, now)
  return { connection, session, now }
}

/**
 * A signed link (result, status, handoff): checked against the connection's client clock. A link whose
 * signature is right but whose time is over is "expired"; anything else is "invalid".
 */
export async function loadBySignedLink (deps: Deps, id: string, purpose: string, link: string | undefined): Promise<Loaded> {
  if (!link || link.length > 200) throw new JourneyPageError('invalid')
  const connection = await loadConnection(deps, id)
  const language = connection.hostedPage?.language_code
  const now = await deps.clock.now(connection.clientId)
  if (!verifyLink(deps.secret, purpose, id, link, now)) {
    const genuine = verifyLink(deps.secret, purpose, id, link, new Date(0))
    throw new JourneyPageError(genuine ? 'expired' : 'invalid', language)
  }
  return { connection, session: await findSession(deps.db, id), now }
}

/** The provider the journey is for: the client's choice (configurations 2, 3) or the user's (1). */
export function chosenProviderId (c: Connection, s: JourneySession | undefined): string | undefined {
  if (c.providerSelection.type === 'preselected') return c.providerSelection.provider_id
  return c.providerId ?? s?.provider_id ?? undefined
}

/** What the hosted page shows now. */
export type Step = 'picker' | 'consent' | 'handoff' | 'phone_opened' | 'continue' | 'waiting' | 'held' | 'done'

export function stepOf (c: Connection, s: JourneySession | undefined, options: { mobile: boolean, changeBank?: boolean }): Step {
  if (isFinal(c.status)) return 'done'
  if (c.status === 'authorizing') return 'waiting'
  if (isHeld(c)) return 'held'
  const config = configurationOf(c)
  if (config === 1 && (!chosenProviderId(c, s) || options.changeBank)) return 'picker'
  if (c.userConsent.type === 'authorization_flow_captured' && !s?.consent_given_at) return 'consent'
  if (options.mobile) return 'continue'
  return s?.handoff_opened_at ? 'phone_opened' : 'handoff'
}

/** The desktop page's state as the status endpoint reports it; a change makes the page reload itself. */
export type LiveState = 'handoff' | 'handoff_renew' | 'phone_opened' | 'choosing' | 'waiting' | 'held' | 'done' | 'other'
export function liveState (c: Connection, s: JourneySession | undefined, now: Date): LiveState {
  if (isFinal(c.status)) return 'done'
  if (c.status === 'authorizing') return 'waiting'
  // The other device's attempt failed and is held: the computer's page reloads into the held-failure page.
  if (isHeld(c)) return 'held'
  // "Try another bank" on the computer after the phone's attempt: the phone waits for the new choice.
  if (s?.handoff_opened_at && !chosenProviderId(c, s)) return 'choosing'
  if (s?.handoff_opened_at) return 'phone_opened'
  if (s?.handoff_expires_at) {
    // A QR code about to expire: the page reloads and draws a fresh one (qr-handoff.ts ensureHandoff).
    return Date.parse(s.handoff_expires_at) - now.getTime() > 60_000 ? 'handoff' : 'handoff_renew'
  }
  return 'other'
}

/** Providers the user may pick from: the request's filter (provider.filter.ts), in catalogue order. */
export function providersFor (c: Connection): Provider[] {
  return filterProviders(c.providerSelection.filter as ProviderFilter | undefined)
}

/** The picker's view: country tabs of the filtered providers, the selected tab, and the search. */
export function pickerModel (c: Connection, query: { q?: string, country?: string }): {
  countries: string[]
  country: string | undefined
  q: string
  providers: Provider[]
  total: number
} {
  const all = providersFor(c)
  const countries = [...new Set(all.map((p) => p.country))]
  const wanted = (query.country ?? c.hostedPage?.country_code ?? '').toUpperCase()
  const country = countries.includes(wanted) ? wanted : countries.includes('GB') ? 'GB' : countries[0]
  const q = (query.q ?? '').trim().slice(0, 100)
  // A search looks across every country the filter allows: people search for the bank, not the country.
  const needle = fold(q)
  const providers = needle
    ? all.filter((p) => fold(p.display_name).includes(needle) || p.provider_id.includes(needle))
    : all.filter((p) => p.country === country)
  return { countries, country, q, providers, total: all.length }
}

/** Case- and accent-insensitive text for search ("societe" finds "Société Générale"). */
const fold = (s: string): string => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase()

export async function clientOf (deps: Deps, c: Connection): Promise<Client> {
  const client = await findClient(deps.db, c.clientId)
  if (!client) throw new JourneyPageError('invalid', c.hostedPage?.language_code)
  return client
}

/** How the pages show the client: its display name (else its registered name), logo, accent and privacy policy. */
export interface Brand {
  name: string
  logo: string | null
  /** `#rrggbb` without the `#`, for the accent stylesheet's URL; null for Ledgerite's own blue. */
  accent: string | null
  privacyUrl: string | null
}

export async function brandOf (deps: Deps, client: Client): Promise<Brand> {
  const b = await findBranding(deps.db, client.id)
  return { name: b.displayName ?? client.name, logo: b.logoPath, accent: b.accentColor?.slice(1) ?? null, privacyUrl: b.privacyUrl }
}

/**
 * Where "Continue" goes when the journey ends: the return URI, if the client still has it registered (it was
 * checked at create; a client may have removed it since), with `connection_id` and, on failure, `error`, added to
 * the client's own query (its `?state=…`), which is kept as sent.
 */
export function continueUri (c: Connection, client: Client): string | undefined {
  const uri = returnUriOf(c)
  if (!uri || !isRegisteredReturnUri(uri, client.redirectUris)) return undefined
  return withOutcome(uri, c)
}

export function withOutcome (uri: string, c: Pick<Connection, 'id' | 'status' | 'failureReason'>): string {
  return withAddedQuery(uri, { connection_id: c.id, ...(c.status === 'failed' ? { error: c.failureReason ?? 'unknown' } : {}) })
}

/** Link lifetimes: a day, as long as the journey itself may take (POLICY.journeyLinkTtlHours). */
const linkExpiry = (now: Date): Date => new Date(now.getTime() + POLICY.journeyLinkTtlHours * 3_600_000)

export function resultPath (deps: Deps, id: string, now: Date): string {
  return `/data/${encodeURIComponent(id)}/result?l=${signLink(deps.secret, 'result', id, linkExpiry(now))}`
}

export function statusPath (deps: Deps, id: string, now: Date): string {
  return `/data/${encodeURIComponent(id)}/status?l=${signLink(deps.secret, 'status', id, linkExpiry(now))}`
}

/** The user declined on the consent screen: the connection fails at authorization_required. */
export async function declineConsent (deps: Deps, c: Connection, now: Date): Promise<void> {
  try {
    await failConnection(deps.db, c.clientId, c.id, now, 'user_declined_consent')
  } catch (err) {
    if (err instanceof ApiError && err.code === 'INVALID_STATE') throw new JourneyPageError('state', c.hostedPage?.language_code)
    throw err
  }
}

/**
 * "Cancel and return to {client}", on any page before the bank: the connection fails like a decline. A journey
 * that has already moved on (another device left for the bank, or it ended) is left as it is: the caller then
 * shows the page for its current state.
 */
export async function cancelJourney (deps: Deps, c: Connection, now: Date): Promise<void> {
  if (c.status !== 'authorization_required') return
  try {
    await cancelBeforeBank(deps.db, c.clientId, c.id, now)
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'INVALID_STATE')) throw err
  }
}

/**
 * Leaves for the bank (authorization_required → authorizing, in the bank step); answers the bank's page. While a
 * failed attempt is held, only "Try again" (`retry`) goes: a form from a page before it (Back, another tab) shows
 * the held page instead.
 */
export async function goToBank (deps: Deps, c: Connection, s: JourneySession | undefined, now: Date, options: { retry?: boolean } = {}): Promise<string> {
  const language = c.hostedPage?.language_code
  const providerId = chosenProviderId(c, s)
  if (!providerId || !findProvider(providerId)) throw new JourneyPageError('provider', language)
  if (c.status !== 'authorization_required') throw new JourneyPageError('state', language)
  if (isHeld(c) !== Boolean(options.retry)) throw new JourneyPageError('state', language)
  if (options.retry && !heldNextSteps(c).includes('try_again')) throw new JourneyPageError('state', language)
  if (c.userConsent.type === 'authorization_flow_captured' && !s?.consent_given_at) throw new JourneyPageError('state', language)
  try {
    const { uri } = await beginBankAuthorization(deps, { connection: c, providerId, now })
    return uri
  } catch (err) {
    if (err instanceof ApiError && err.code === 'INVALID_STATE') throw new JourneyPageError('state', language)
    if (err instanceof BankError) throw new JourneyPageError('bank', language)
    throw err
  }
}

/**
 * "Try another bank" (configuration 1): the held failure is set aside and the bank picked before forgotten, with
 * the consent given for it; the hosted page then shows the picker of the same connection.
 */
export async function tryAnotherBank (deps: Deps, c: Connection, now: Date): Promise<void> {
  if (!heldNextSteps(c).includes('try_another_bank')) throw new JourneyPageError('state', c.hostedPage?.language_code)
  try {
    await setAsideBankFailure(deps.db, c.clientId, c.id, now)
  } catch (err) {
    if (err instanceof ApiError && err.code === 'INVALID_STATE') throw new JourneyPageError('state', c.hostedPage?.language_code)
    throw err
  }
  await updateSession(deps.db, c.id, { provider_id: null, consent_given_at: null }, now)
}

/**
 * "Return to {client}" from a held failure: now the failure is final, with the bank's reason (`connection_failed`
 * goes out). A journey that moved on meanwhile (another device tried again) is left as it is.
 */
export async function giveUpAfterBankFailure (deps: Deps, c: Connection, now: Date): Promise<void> {
  if (!isHeld(c)) return
  try {
    await giveUp(deps.db, c.clientId, c.id, now)
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'INVALID_STATE')) throw err
  }
}

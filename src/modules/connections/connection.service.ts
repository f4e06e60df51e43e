import { ApiError, type FieldErrors, FieldErrorCollector } from '../../contract/errors.ts'
import { ids, sha256 } from '../../contract/ids.ts'
import type { Deps } from '../../deps.ts'
import { endUserIp } from '../../http/end-user-ip.ts'
import type { NewConnectionRow } from '../../storage/database.ts'
import { encodePosition, keysetPage, readPositionParameter } from '../../storage/keyset.ts'
import { type Client, findClient } from '../auth/client.repository.ts'
import { filterProviders, toWireProvider } from '../providers/provider.filter.ts'
import { BankError } from '../providers/provider-adapter.ts'
import { beginBankAuthorization } from './connection.authorization.ts'
import { expireDueConnections } from './connection.lifecycle.ts'
import { toConnection } from './connection.model.ts'
import { POLICY } from './connection.policy.ts'
import { presentConnection, presentCreated } from './connection.present.ts'
import { findConnection, insertConnectionWithEvent, listConnectionsPage } from './connection.repository.ts'
import type { ConnectionView, CreateConnectionBody, CreatedConnection } from './connection.schema.ts'
import { hostedPageUri } from './hosted-page-uri.ts'
import { configurationOfRequest } from './journey-configurations.ts'
import { CREATE_CONNECTION_RULES } from './rules/index.ts'

type Headers = Record<string, string | string[] | undefined>

/** Longest device user agent kept (headers may be up to 16 KiB; nothing needs more than this). */
const MAX_USER_AGENT = 1024

async function clientAndNow (deps: Deps, clientId: string, alreadyRead?: Client) {
  // One read gives both the client's settings and its clock offset.
  const client = alreadyRead ?? await findClient(deps.db, clientId)
  // A valid token whose client was deleted since.
  if (!client) throw new ApiError('UNAUTHENTICATED', 'The client of this access token no longer exists.')
  return { client, now: deps.clock.at(client.clockOffsetSeconds) }
}

/**
 * POST /v3/data-connections. `schemaErrors` are the body's schema problems (already phrased); the rules add the
 * cross-field ones, so one 400 lists every problem. Then: one insert (with its timeline entry), committed, and —
 * for configurations 4 and 5 only, after the commit — the bank step for the redirect.
 */
export async function createConnection (
  deps: Deps,
  input: {
    clientId: string
    /** The client, when the route has read it already (before validation, for its unknown-fields setting). */
    client?: Client
    /** Fields dropped because the client ignores unknown fields; listed on the `created` timeline entry. */
    ignoredFields?: string[]
    body: unknown
    schemaErrors: FieldErrors | undefined
    headers: Headers
  },
): Promise<CreatedConnection> {
  const { client, now } = await clientAndNow(deps, input.clientId, input.client)

  const errors = new FieldErrorCollector()
  for (const [field, messages] of Object.entries(input.schemaErrors ?? {})) for (const m of messages) errors.add(field, m)
  const notes: string[] = []
  for (const rule of CREATE_CONNECTION_RULES) {
    const note = rule.check({ body: input.body, client, now }, errors)
    if (note) notes.push(note)
  }
  // Tl-User-IP and X-Device-User-Agent are "only considered if the authorization_flow object … is specified".
  const ownFlow = typeof input.body === 'object' && input.body !== null && 'authorization_flow' in input.body
  let ip: string | undefined
  if (ownFlow) {
    try {
      ip = endUserIp(input.headers)
    } catch (err) {
      if (!(err instanceof ApiError) || !err.errors) throw err
      for (const [field, messages] of Object.entries(err.errors)) for (const m of messages) errors.add(field, m)
    }
  }
  const onlyHeader = Object.keys(errors.errors).every((f) => f === 'Tl-User-IP')
  errors.throwIfAny(onlyHeader ? 'The request headers were invalid.' : 'The request body was invalid.', notes.join(' ') || undefined)

  const body = input.body as CreateConnectionBody
  const configuration = configurationOfRequest(body)
  const id = ids.orderedUuid()
  const at = now.toISOString()
  const ps = body.provider_selection
  const providerId = ps.type === 'preselected' ? ps.provider_id : null
  const hostedToken = configuration.answer === 'hosted_page.uri' ? ids.token() : undefined
  const userAgent = header(input.headers, 'x-device-user-agent') ?? header(input.headers, 'user-agent')

  const row: NewConnectionRow = {
    id,
    client_id: client.id,
    status: configuration.status,
    user_id: body.user.id ?? ids.uuid(),
    user_name: body.user.name ?? null,
    user_email: body.user.email ?? null,
    user_phone: body.user.phone ?? null,
    // Duplicates are dropped, first occurrence kept (docs/behaviour-notes.md).
    scopes: JSON.stringify([...new Set(body.scopes)]),
    provider_selection: JSON.stringify(ps),
    provider_id: providerId,
    user_consent: JSON.stringify(body.user_consent),
    hosted_page: body.hosted_page ? JSON.stringify(body.hosted_page) : null,
    authorization_flow: body.authorization_flow ? JSON.stringify(body.authorization_flow) : null,
    data_access_type: body.data_access_type ?? 'recurring',
    metadata: body.metadata ? JSON.stringify(body.metadata) : null,
    end_user_ip: ownFlow ? (ip ?? null) : null,
    device_user_agent: ownFlow && userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
    journey_token_hash: hostedToken ? sha256(hostedToken) : null,
    journey_expires_at: hostedToken ? new Date(now.getTime() + POLICY.journeyLinkTtlHours * 3_600_000).toISOString() : null,
    account_ids: null,
    provider_state: null,
    failure_stage: null,
    failure_reason: null,
    created_at: at,
    updated_at: at,
    authorized_at: null,
    failed_at: null,
    revoked_at: null,
    expired_at: null,
    access_expires_at: null,
  }
  const ignored = input.ignoredFields ?? []
  await insertConnectionWithEvent(deps.db, row, {
    at: now,
    detail: { configuration: configuration.id, status: configuration.status, ...(ignored.length > 0 ? { ignored_fields: ignored } : {}) },
  })
  const connection = toConnection(row as Parameters<typeof toConnection>[0])

  switch (configuration.answer) {
    case 'hosted_page.uri':
      return presentCreated(connection, { hostedPageUri: hostedPageUri(deps.config.publicUrl, id, hostedToken!) })
    case 'provider_selection':
      return presentCreated(connection, {
        next: { type: 'provider_selection', providers: filterProviders(ps.type === 'user_selected' ? ps.filter : undefined).map(toWireProvider) },
      })
    case 'redirect': {
      // Outside any transaction: the connection is committed, the bank may be slow. If the bank fails, the
      // connection stays as created (authorizing) and the client gets 502 (docs/behaviour-notes.md).
      try {
        const { uri } = await beginBankAuthorization(deps, { connection, providerId: providerId!, now })
        return presentCreated(connection, { next: { type: 'redirect', uri } })
      } catch (err) {
        if (err instanceof BankError) throw new ApiError('PROVIDER_ERROR', `The provider could not start the authorisation (${err.reason}); the connection ${id} was created but cannot proceed: create a new one.`)
        throw err
      }
    }
  }
}

function header (headers: Headers, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** GET /v3/data-connections/{id} (extension). Ended consents are expired first, so the status is current. */
export async function getConnection (deps: Deps, clientId: string, connectionId: string): Promise<ConnectionView> {
  const now = await deps.clock.now(clientId)
  await expireDueConnections(deps.db, clientId, now)
  const row = await findConnection(deps.db, clientId, connectionId)
  if (!row) throw new ApiError('NOT_FOUND', 'Connection could not be found.')
  return presentConnection(toConnection(row))
}

/** Whose cursors the connections list accepts (storage/keyset.ts). */
const CURSOR_PURPOSE = 'data-connections'

/** GET /v3/data-connections (extension): the client's connections, newest first. */
export async function listConnections (
  deps: Deps,
  clientId: string,
  query: { limit?: number, cursor?: string, status?: string },
): Promise<{ items: ConnectionView[], pagination: { next_cursor: string | null } }> {
  const limit = query.limit ?? 20
  const after = readPositionParameter(deps.secret, CURSOR_PURPOSE, query.cursor)
  const now = await deps.clock.now(clientId)
  await expireDueConnections(deps.db, clientId, now)
  const rows = await listConnectionsPage(deps.db, clientId, { limit: limit + 1, after, ...(query.status ? { status: query.status } : {}) })
  const page = keysetPage(rows, limit, (r) => ({ createdAt: r.created_at, id: r.id }))
  return {
    items: page.items.map((r) => presentConnection(toConnection(r))),
    pagination: { next_cursor: page.next ? encodePosition(deps.secret, CURSOR_PURPOSE, page.next) : null },
  }
}

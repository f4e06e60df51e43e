import { type Static, Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { invalidField } from '../../contract/errors.ts'
import type { Deps } from '../../deps.ts'
import { requireJsonBody } from '../../http/require-json.ts'
import { expireDueConnections } from '../connections/connection.lifecycle.ts'
import { presentConnection } from '../connections/connection.present.ts'
import { ConnectionViewSchema } from '../connections/connection.schema.ts'
import { MAX_CLOCK_OFFSET_SECONDS, parseDuration } from './sandbox.duration.ts'
import { authorizeWithoutBrowser } from './sandbox.authorize.ts'
import { resetClientSandbox } from './sandbox.reset.ts'
import { AdvanceBody, AuthorizeBody, AuthorizeParams, ClockView } from './sandbox.schema.ts'

/** The bearer token of a request `requireDataToken` has already verified. */
const bearerOf = (authorization: string | undefined): string => (authorization ?? '').replace(/^Bearer\s+/, '')

const extension = { 'x-ledgerite-extension': true, tags: ['Sandbox control'], security: [{ OAuth2: ['data'] }] }

/**
 * Sandbox control (extension): complete a journey without a browser, move the client's virtual clock, and wipe
 * the client's sandbox data. Registered only when SANDBOX_CONTROL is on (app.ts); every call acts on the calling
 * client alone.
 */
export async function sandboxRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  const clockView = async (clientId: string) => {
    const offset = await deps.clock.offsetSeconds(clientId)
    return { now: (await deps.clock.now(clientId)).toISOString(), offset_seconds: offset }
  }

  app.post<{ Params: Static<typeof AuthorizeParams>, Body: Static<typeof AuthorizeBody> }>('/sandbox/v3/data-connections/:connection_id/authorize', {
    schema: {
      summary: 'Complete a journey without a browser (sandbox)',
      description: 'Extension. Takes the connection through the same bank step, transitions and webhooks as a user in a browser: ' +
        '`authorized` approves at the model bank as `username` (default john); `failed` ends it with `failure_reason` (default provider_rejected).',
      ...extension,
      params: AuthorizeParams,
      body: AuthorizeBody,
      response: { 200: ConnectionViewSchema },
    },
    preValidation: requireJsonBody,
  }, async (request) => {
    const { outcome, username, failure_reason: failureReason, provider_id: providerId } = request.body
    if (outcome === 'authorized' && failureReason !== undefined) {
      throw invalidField('failure_reason', 'is only allowed with "outcome": "failed"')
    }
    const connection = await authorizeWithoutBrowser(deps, {
      clientId: request.clientId,
      connectionId: request.params.connection_id,
      outcome,
      ...(username !== undefined ? { username } : {}),
      ...(failureReason !== undefined ? { failureReason } : {}),
      ...(providerId !== undefined ? { providerId } : {}),
      // The model bank approves only for the consent's own client: it is shown the token this call came with.
      clientToken: bearerOf(request.headers.authorization),
    })
    return presentConnection(connection)
  })

  app.get('/sandbox/clock', {
    schema: { summary: 'The client\'s virtual clock (sandbox)', description: 'Extension.', ...extension, response: { 200: ClockView } },
  }, async (request) => clockView(request.clientId))

  app.post<{ Body: Static<typeof AdvanceBody> }>('/sandbox/clock/advance', {
    schema: {
      summary: 'Move the client\'s virtual clock forward (sandbox)',
      description: 'Extension. Moves, for the calling client alone, consent expiry, access windows, the rate-limit window, ' +
        'pending → settled transactions and the synthetic data\'s "today". Connections whose access ended are expired at once ' +
        '(and `connection_expired` is sent).',
      ...extension,
      body: AdvanceBody,
      response: { 200: ClockView },
    },
    preValidation: requireJsonBody,
  }, async (request) => {
    const parsed = parseDuration(request.body.by)
    if ('error' in parsed) throw invalidField('by', parsed.error)
    const current = await deps.clock.offsetSeconds(request.clientId)
    if (current + parsed.seconds > MAX_CLOCK_OFFSET_SECONDS) {
      throw invalidField('by', `would put the clock more than 50 years ahead (it is ${current} s ahead now); POST /sandbox/clock/reset first`)
    }
    await deps.clock.advance(request.clientId, parsed.seconds)
    await expireDueConnections(deps.db, request.clientId, await deps.clock.now(request.clientId))
    return clockView(request.clientId)
  })

  app.post('/sandbox/clock/reset', {
    schema: { summary: 'Put the client\'s clock back to real time (sandbox)', description: 'Extension.', ...extension, response: { 200: ClockView } },
  }, async (request) => {
    await deps.clock.reset(request.clientId)
    return clockView(request.clientId)
  })

  app.post('/sandbox/reset', {
    schema: {
      summary: 'Delete the client\'s sandbox data (sandbox)',
      description: 'Extension. Deletes the calling client\'s connections, transactions requests, unattended-access counters, ' +
        'webhook events and delivery attempts, and resets its clock. Other clients are untouched. The client, its settings and keys stay.',
      ...extension,
      response: { 204: Type.Null() },
    },
  }, async (request, reply) => {
    await resetClientSandbox(deps.db, request.clientId)
    return reply.code(204).send()
  })
}

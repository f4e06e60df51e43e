import { type Static, Type } from '@sinclair/typebox'
import type { FastifyInstance } from 'fastify'
import { ApiError, invalidField } from '../../contract/errors.ts'
import type { Deps } from '../../deps.ts'
import { browserSurface } from '../../http/browser-security.ts'
import { htmlErrorPage } from '../../http/html-error-page.ts'
import { requireJsonBody } from '../../http/require-json.ts'
import { beginBankAuthorization, CallbackError, providersOffered } from '../connections/connection.authorization.ts'
import { configurationOf, toConnection } from '../connections/connection.model.ts'
import { findConnection } from '../connections/connection.repository.ts'
import { BANK_CALLBACK_PATH } from '../providers/bank-callback.ts'
import { findProvider } from '../providers/provider.catalog.ts'
import { BankError } from '../providers/provider-adapter.ts'
import { completeBankCallback } from './bank-step.ts'

const ProviderSelectionBody = Type.Object({
  provider_id: Type.String({ minLength: 1, maxLength: 100, description: 'The provider the user chose from the connection\'s list.' }),
}, { additionalProperties: false })

const ProviderSelectionAnswer = Type.Object({
  status: Type.Literal('authorizing'),
  authorization_flow: Type.Object({
    actions: Type.Object({
      next: Type.Object({ type: Type.Literal('redirect'), uri: Type.String({ description: 'Send the user\'s browser here: the bank\'s authorisation page.' }) }),
    }),
  }),
})

/** Marks the route as outside the published contract (see src/http/openapi.ts). */
const extension = { 'x-ledgerite-extension': true }

/**
 * The bank step's routes: the bank's redirect back (`GET /data/callback`), and configuration 5b's
 * provider-selection action (an extension modelled on the payments API's provider-selection action).
 */
export async function bankStepRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  // The bank's redirect back is the one page of this module: the shared layer's headers, nothing to cache or leak.
  browserSurface(app, {
    key: deps.secret, name: 'bank-callback', publicUrl: deps.config.publicUrl, htmlOnly: true, referrerPolicy: 'no-referrer', sameSite: 'Lax',
    csp: "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  })
  app.get<{ Querystring: Record<string, string | undefined> }>(BANK_CALLBACK_PATH, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    try {
      const { redirect } = await completeBankCallback(deps, request.query)
      return reply.code(303).header('Location', redirect).send()
    } catch (err) {
      if (err instanceof CallbackError) {
        return reply.code(err.status).type('text/html; charset=utf-8').send(htmlErrorPage(err.status, err.title, err.message, request.id))
      }
      if (err instanceof BankError) throw new ApiError('PROVIDER_ERROR', 'The bank could not be reached. Go back to the app you came from and try again.')
      throw err
    }
  })

}

const ProviderSelectionParams = Type.Object({ connection_id: Type.String({ minLength: 1, maxLength: 100 }) })

/** Configuration 5b's provider-selection action: registered in the authenticated scope (app.ts). */
export async function providerSelectionRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  app.post<{ Params: Static<typeof ProviderSelectionParams>, Body: Static<typeof ProviderSelectionBody> }>(
    '/v3/data-connections/:connection_id/authorization-flow/actions/provider-selection',
    {
      schema: {
        ...extension,
        tags: ['Data connections'],
        summary: 'Submit the provider the user chose (configuration 5b)',
        description: 'Ledgerite extension, modelled on the payments API\'s `authorization-flow/actions/provider-selection`: ' +
          'for a connection created with `provider_selection.type=user_selected` and a root `authorization_flow` ' +
          '(configuration 5b), whose create answered `actions.next.type=provider_selection`. The provider must be one of ' +
          'that list (the connection\'s `provider_selection.filter`). Answers the next action: a redirect to the bank. ' +
          'Once a provider is chosen it cannot change (400 Invalid State).',
        params: ProviderSelectionParams,
        body: ProviderSelectionBody,
        response: { 200: ProviderSelectionAnswer },
        security: [{ OAuth2: ['data'] }],
      },
      preValidation: requireJsonBody,
    },
    async (request) => {
      const row = await findConnection(deps.db, request.clientId, request.params.connection_id)
      if (!row) throw new ApiError('NOT_FOUND', 'Connection could not be found.')
      const c = toConnection(row)
      if (configurationOf(c) !== '5b') {
        throw new ApiError('INVALID_STATE', 'Provider selection is only for connections created with provider_selection.type=user_selected and a root authorization_flow (configuration 5b).')
      }
      if (c.status !== 'authorizing') throw new ApiError('INVALID_STATE', `Status of the connection (${c.status}) does not allow this action (provider selection) to be executed.`)
      if (c.providerId) throw new ApiError('INVALID_STATE', `A provider (${c.providerId}) was already selected for this connection; create a new connection to choose another.`)
      const providerId = request.body.provider_id
      if (!findProvider(providerId)) throw invalidField('provider_id', 'is not a known provider; GET /v3/providers lists them')
      if (!providersOffered(c).some((p) => p.provider_id === providerId)) {
        throw invalidField('provider_id', 'is not among the providers this connection offers (its provider_selection.filter)')
      }
      const now = await deps.clock.now(request.clientId)
      try {
        const { uri } = await beginBankAuthorization(deps, { connection: c, providerId, now })
        return { status: 'authorizing' as const, authorization_flow: { actions: { next: { type: 'redirect' as const, uri } } } }
      } catch (err) {
        if (err instanceof BankError) throw new ApiError('PROVIDER_ERROR', `The provider could not start the authorisation: ${err.message}`)
        throw err
      }
    },
  )
}

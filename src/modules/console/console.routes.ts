import { type Static, Type } from '@sinclair/typebox'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError, invalidParameters } from '../../contract/errors.ts'
import type { Deps } from '../../deps.ts'
import { browserSurface } from '../../http/browser-security.ts'
import { formatValidationErrors } from '../../http/validation.ts'
import { attemptKeys } from '../auth/auth-throttle.ts'
import { rotateSecret } from '../auth/client-secret.ts'
import { authenticateClient, checkUri, type Client, findClient, isUnknownFieldsMode, UNKNOWN_FIELDS_MODES, updateClient } from '../auth/client.repository.ts'
import { checkWebhookUri } from '../webhooks/webhook.destination.ts'
import { findDelivery, requeueEvent } from '../webhooks/webhook.repository.ts'
import { EXTENSION_WEBHOOK_TYPES, isWebhookTypeWanted, readExtensionEvents, unwantedTypeDetail } from '../webhooks/webhook.event-types.ts'
import { brandingRoutes } from './console.branding.ts'
import { type Chrome, CONSOLE_CSS, renderPage } from './console.pages.ts'
import { connectionDetail, connectionsPage, decodeCursor, deliveriesPage } from './console.service.ts'
import {
  type ConsoleSession, CONSOLE_PATH, createSession, deleteClientSessions, deleteSession, findSession,
  PRE_SESSION_COOKIE, PRE_SESSION_TTL_SECONDS, SESSION_COOKIE, SESSION_TTL_SECONDS,
} from './console.session.ts'

/** The pages' Content-Security-Policy: nothing but our own stylesheet, no scripts at all. */
export const CONSOLE_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in Console session and its client (Console routes only). */
    console?: { session: ConsoleSession, client: Client }
  }
}

const MAX_URI = 2048
/** A client with more registered redirect URIs than this has a mistake in a script, not an integration. */
const MAX_REDIRECT_URIS = 50

const Csrf = Type.Optional(Type.String({ maxLength: 200 }))
const SignInBody = Type.Object({
  csrf_token: Csrf,
  client_id: Type.String({ maxLength: 200 }),
  client_secret: Type.String({ maxLength: 200 }),
}, { additionalProperties: false })
const CsrfOnlyBody = Type.Object({ csrf_token: Csrf }, { additionalProperties: false })
const RedirectUriBody = Type.Object({ csrf_token: Csrf, redirect_uri: Type.String({ maxLength: MAX_URI }) }, { additionalProperties: false })
const WebhookUriBody = Type.Object({ csrf_token: Csrf, webhook_uri: Type.String({ maxLength: MAX_URI }) }, { additionalProperties: false })
// One checkbox per extension type: absent when none is ticked, a string for one, an array for several.
// Checked in the handler, so a bad value is answered on the settings page with the allowed ones.
const UnknownFieldsBody = Type.Object({ csrf_token: Csrf, unknown_fields: Type.String({ maxLength: 16 }) }, { additionalProperties: false })
const ExtensionEventsBody = Type.Object({
  csrf_token: Csrf,
  extension_events: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Array(Type.String({ maxLength: 64 }), { maxItems: 10 })])),
}, { additionalProperties: false })
const RedeliverBody = Type.Object({ csrf_token: Csrf, back: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false })
const IdParams = Type.Object({ id: Type.String({ maxLength: 200 }) })
const EventParams = Type.Object({ event_id: Type.String({ maxLength: 200 }) })
/** `after`: the position of the last item of the previous page (`<created_at>~<id>`, from the "Older" link). */
const PagedQuery = Type.Object({ after: Type.Optional(Type.String({ maxLength: 120 })), notice: Type.Optional(Type.String({ maxLength: 40 })) })
const NoticeQuery = Type.Object({ notice: Type.Optional(Type.String({ maxLength: 40 })) })

/** Notices shown after a redirect: fixed texts chosen by key, so nothing from the URL is ever echoed. */
const NOTICES: Record<string, string> = {
  redirect_uri_added: 'Redirect URI added.',
  redirect_uri_removed: 'Redirect URI removed.',
  webhook_uri_saved: 'Webhook URI saved.',
  webhook_uri_removed: 'Webhook URI removed: events are kept in the delivery log but not sent.',
  webhook_events_saved: 'Webhook types saved.',
  unknown_fields_saved: 'Unknown fields setting saved.',
  redelivery_queued: 'Redelivery queued: the event will be sent again shortly, with the same event_id.',
}
const notice = (key: string | undefined): string | undefined => (key ? NOTICES[key] : undefined)

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The Console at /console (an extension: the real service's Console is a separate web app). Server-rendered pages
 * for a signed-in client: settings (redirect URIs, webhook URI), connections with their timeline, accounts and a
 * balance chart, and the webhook delivery log with redelivery.
 *
 * Safety: a session cookie (HttpOnly, SameSite=Strict, Path=/console, 8 h) whose id is stored hashed; every form
 * carries a CSRF token bound to the session and every POST must come from this origin; templates escape all data;
 * the CSP allows no script and no inline style. Every read is scoped by the session's client: another client's
 * connection is "not found".
 */
export async function consoleRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(async (s) => routes(s, deps), { prefix: '/console' })
}

async function routes (app: FastifyInstance, deps: Deps): Promise<void> {
  const html = { html: true } as const
  // Same-origin referrers, so every form post carries our Origin; Strict cookies: nobody arrives here by a link
  // that must keep them.
  const browser = browserSurface(app, {
    key: deps.secret, name: 'console', publicUrl: deps.config.publicUrl, csp: CONSOLE_CSP, referrerPolicy: 'same-origin', sameSite: 'Strict',
  })
  const readCookie = browser.readCookie

  const chromeOf = (request: FastifyRequest, section: Chrome['section']): Chrome => {
    const { session, client } = request.console!
    return { client: { id: client.id, name: client.name, webhookUri: client.webhookUri }, csrf: browser.formToken(session.idHash), section }
  }

  const sendPage = (reply: FastifyReply, status: number, template: string, title: string, chrome: Chrome | undefined, data: Record<string, unknown> = {}) =>
    reply.code(status).type('text/html; charset=utf-8').send(renderPage(template, title, chrome, data))

  // Refusals (ApiError, validation) render in the Console's own layout (the app's plain error page has an inline
  // style this CSP blocks); anything else goes to the app's handler: a 500 page, details logged, never shown.
  app.setErrorHandler(async (err: FastifyError, request, reply) => {
    let apiError: ApiError
    if (err instanceof ApiError) apiError = err
    else if (err.validation) {
      // A form or address that our own pages would not produce: name the field and the rule, like the API does.
      const errors = formatValidationErrors(err.validation as never, err.validationContext ?? 'body', request.body)
      apiError = invalidParameters(errors, err.validationContext === 'body' ? 'The form was invalid.' : 'The request parameters were invalid.')
    } else throw err
    request.log.info({ status: apiError.status, title: apiError.title }, 'console request refused')
    if (apiError.headers) reply.headers(apiError.headers)
    const chrome = request.console ? chromeOf(request, 'connections') : undefined
    return sendPage(reply, apiError.status, 'error', apiError.title, chrome, { heading: apiError.title, detail: apiError.message, status: apiError.status, traceId: request.id })
  })
  app.setNotFoundHandler(async (request, reply) => {
    return sendPage(reply, 404, 'error', 'Not Found', undefined, { heading: 'Not Found', detail: `No Console page at ${request.url.split('?')[0]}.`, status: 404, traceId: request.id })
  })

  /** Loads the session; a GET without one goes to the sign-in page, anything else is refused. */
  const requireSession = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const value = readCookie(request, SESSION_COOKIE)
    const session = value ? await findSession(deps.db, value, deps.clock.realNow()) : undefined
    const client = session ? await findClient(deps.db, session.clientId) : undefined
    if (!session || !client) {
      if (request.method === 'GET') return reply.redirect('/console/sign-in', 303)
      throw new ApiError('UNAUTHENTICATED', 'Your Console session has ended: sign in again.')
    }
    request.console = { session, client }
  }

  /** Same origin, then the session-bound CSRF token (before the body is validated, so forgeries learn nothing). */
  const requireCsrf = async (request: FastifyRequest): Promise<void> => {
    browser.assertForm(request, (request.body as { csrf_token?: unknown } | undefined)?.csrf_token, request.console!.session.idHash)
  }

  const signedIn = { preHandler: requireSession, config: html }
  const signedInPost = { preValidation: [requireSession, requireCsrf], config: html }

  app.get('/assets/console.css', { config: html }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=3600')
    return reply.type('text/css; charset=utf-8').send(CONSOLE_CSS)
  })

  app.get('/', { config: html }, async (request, reply) => {
    const value = readCookie(request, SESSION_COOKIE)
    const session = value ? await findSession(deps.db, value, deps.clock.realNow()) : undefined
    return reply.redirect(session ? '/console/connections' : '/console/sign-in', 303)
  })

  // ---- sign in / out ----

  const signInPage = (request: FastifyRequest, reply: FastifyReply, status: number, data: { error?: string, clientId?: string } = {}) => {
    const pre = browser.browserBinding(request, reply, PRE_SESSION_COOKIE, { path: CONSOLE_PATH, maxAgeSeconds: PRE_SESSION_TTL_SECONDS })
    return sendPage(reply, status, 'sign-in', 'Sign in', undefined, { csrf: browser.formToken('pre', pre), ...data })
  }

  app.get('/sign-in', { config: html }, async (request, reply) => signInPage(request, reply, 200))

  app.post<{ Body: Static<typeof SignInBody> }>('/sign-in', {
    config: html,
    schema: { body: SignInBody },
    // Before any session, the token is bound to the sign-in page's own cookie (double submit, signed).
    preValidation: async (request) => {
      const pre = readCookie(request, PRE_SESSION_COOKIE) ?? ''
      browser.assertForm(request, (request.body as { csrf_token?: unknown } | undefined)?.csrf_token, 'pre', pre)
    },
  }, async (request, reply) => {
    const { client_id: clientId, client_secret: secret } = request.body
    // The token endpoint's throttle, with the same counts: wrong secrets here count there too (auth-throttle.ts).
    const now = deps.clock.realNow()
    const keys = attemptKeys(request.ip, clientId.trim())
    const wait = await deps.authThrottle.retryAfter(keys, now)
    if (wait > 0) {
      reply.header('retry-after', String(wait))
      return signInPage(request, reply, 429, { error: `Too many failed sign-ins for this client or from this address: try again in ${wait} s.`, clientId })
    }
    const client = await authenticateClient(deps.db, clientId.trim(), secret)
    if (!client) {
      await deps.authThrottle.fail(keys, now)
      // One answer for an unknown id and a wrong secret, so the form cannot be used to find client ids.
      return signInPage(request, reply, 401, { error: 'The client id or secret is wrong.', clientId })
    }
    const { cookieValue } = await createSession(deps.db, client.id, deps.clock.realNow())
    browser.setCookie(reply, SESSION_COOKIE, cookieValue, { path: CONSOLE_PATH, maxAgeSeconds: SESSION_TTL_SECONDS })
    browser.clearCookie(reply, PRE_SESSION_COOKIE, CONSOLE_PATH)
    return reply.redirect('/console/connections', 303)
  })

  app.post('/sign-out', { ...signedInPost, schema: { body: CsrfOnlyBody } }, async (request, reply) => {
    await deleteSession(deps.db, request.console!.session.idHash)
    browser.clearCookie(reply, SESSION_COOKIE, CONSOLE_PATH)
    return reply.redirect('/console/sign-in', 303)
  })

  // ---- settings ----

  const settingsPage = (request: FastifyRequest, reply: FastifyReply, status: number, data: Record<string, unknown>) =>
    sendPage(reply, status, 'settings', 'Settings', chromeOf(request, 'settings'), { client: request.console!.client, extensionWebhookTypes: EXTENSION_WEBHOOK_TYPES, ...data })

  app.get<{ Querystring: Static<typeof NoticeQuery> }>('/settings', { ...signedIn, schema: { querystring: NoticeQuery } }, async (request, reply) => {
    return settingsPage(request, reply, 200, { notice: notice(request.query.notice) })
  })

  app.post<{ Body: Static<typeof RedirectUriBody> }>('/settings/redirect-uris', { ...signedInPost, schema: { body: RedirectUriBody } }, async (request, reply) => {
    const { client } = request.console!
    const uri = request.body.redirect_uri.trim()
    const problem = uri === '' ? 'must not be empty' : checkUri(uri) ??
      (client.redirectUris.length >= MAX_REDIRECT_URIS && !client.redirectUris.includes(uri) ? `cannot be added: at most ${MAX_REDIRECT_URIS} redirect URIs may be registered` : undefined)
    if (problem) {
      return settingsPage(request, reply, 400, { error: `redirect_uri ${problem} (for example https://your-app.com/callback).`, redirectUriInput: uri })
    }
    await updateClient(deps.db, client.id, { addRedirectUris: [uri] })
    return reply.redirect('/console/settings?notice=redirect_uri_added', 303)
  })

  app.post<{ Body: Static<typeof RedirectUriBody> }>('/settings/redirect-uris/remove', { ...signedInPost, schema: { body: RedirectUriBody } }, async (request, reply) => {
    const { client } = request.console!
    const uri = request.body.redirect_uri
    if (!client.redirectUris.includes(uri)) {
      return settingsPage(request, reply, 400, { error: 'redirect_uri is not registered, so it cannot be removed (was it removed in another tab?).' })
    }
    if (client.redirectUris.length === 1) {
      return settingsPage(request, reply, 400, { error: 'redirect_uri is the only one registered: add its replacement first, then remove it.' })
    }
    await updateClient(deps.db, client.id, { removeRedirectUris: [uri] })
    return reply.redirect('/console/settings?notice=redirect_uri_removed', 303)
  })

  app.post<{ Body: Static<typeof WebhookUriBody> }>('/settings/webhook-uri', { ...signedInPost, schema: { body: WebhookUriBody } }, async (request, reply) => {
    const { client } = request.console!
    const uri = request.body.webhook_uri.trim()
    if (uri === '') {
      await updateClient(deps.db, client.id, { webhookUri: null })
      return reply.redirect('/console/settings?notice=webhook_uri_removed', 303)
    }
    const problem = checkWebhookUri(uri, deps.config.webhookDestinations)
    if (problem) return settingsPage(request, reply, 400, { error: `webhook_uri ${problem} (for example https://your-app.com/webhooks).`, webhookUriInput: uri })
    await updateClient(deps.db, client.id, { webhookUri: uri })
    return reply.redirect('/console/settings?notice=webhook_uri_saved', 303)
  })

  app.post<{ Body: Static<typeof ExtensionEventsBody> }>('/settings/webhook-events', { ...signedInPost, schema: { body: ExtensionEventsBody } }, async (request, reply) => {
    const { client } = request.console!
    const ticked = request.body.extension_events
    const read = readExtensionEvents(ticked === undefined ? [] : typeof ticked === 'string' ? [ticked] : ticked)
    if ('problem' in read) return settingsPage(request, reply, 400, { error: `extension_events: ${read.problem}.` })
    await updateClient(deps.db, client.id, { webhookExtensionEvents: read.types })
    return reply.redirect('/console/settings?notice=webhook_events_saved', 303)
  })

  app.post<{ Body: Static<typeof UnknownFieldsBody> }>('/settings/unknown-fields', { ...signedInPost, schema: { body: UnknownFieldsBody } }, async (request, reply) => {
    const { client } = request.console!
    const mode = request.body.unknown_fields
    if (!isUnknownFieldsMode(mode)) return settingsPage(request, reply, 400, { error: `unknown_fields: must be one of ${UNKNOWN_FIELDS_MODES.join(', ')}.` })
    await updateClient(deps.db, client.id, { unknownFields: mode })
    return reply.redirect('/console/settings?notice=unknown_fields_saved', 303)
  })

  await brandingRoutes(app, deps, {
    signedIn,
    checks: [requireSession, requireCsrf],
    sendPage: (request, reply, status, data) => sendPage(reply, status, 'branding', 'Branding', chromeOf(request, 'settings'), data),
  })

  // The new secret is shown once, in this answer (no-store, never in a URL); the old one, the tokens issued with
  // it and the client's other Console sessions end at once (client-secret.ts).
  app.post<{ Body: Static<typeof CsrfOnlyBody> }>('/settings/rotate-secret', { ...signedInPost, schema: { body: CsrfOnlyBody } }, async (request, reply) => {
    const { session, client } = request.console!
    const secret = await rotateSecret(deps.db, client.id)
    if (!secret) throw new ApiError('UNAUTHENTICATED', 'Your Console session has ended: sign in again.')
    await deleteClientSessions(deps.db, client.id, session.idHash)
    return settingsPage(request, reply, 200, { newSecret: secret })
  })

  // ---- connections ----

  const pageCursor = (raw: string | undefined) => {
    const after = decodeCursor(deps.secret, raw)
    if (raw && !after) throw new ApiError('NOT_FOUND', 'That page does not exist (the link is not one the Console made); start from the newest.')
    return after
  }

  app.get<{ Querystring: Static<typeof PagedQuery> }>('/connections', { ...signedIn, schema: { querystring: PagedQuery } }, async (request, reply) => {
    const after = pageCursor(request.query.after)
    const page = await connectionsPage(deps, request.console!.client.id, after)
    return sendPage(reply, 200, 'connections', 'Connections', chromeOf(request, 'connections'), { ...page, paged: Boolean(after) })
  })

  app.get<{ Params: Static<typeof IdParams>, Querystring: Static<typeof NoticeQuery> }>('/connections/:id', {
    ...signedIn,
    schema: { params: IdParams, querystring: NoticeQuery },
  }, async (request, reply) => {
    const detail = await connectionDetail(deps, request.console!.client.id, request.params.id)
    return sendPage(reply, 200, 'connection', `Connection ${detail.connection.id}`, chromeOf(request, 'connections'), { detail, notice: notice(request.query.notice) })
  })

  // ---- webhook deliveries ----

  app.get<{ Querystring: Static<typeof PagedQuery> }>('/webhooks', { ...signedIn, schema: { querystring: PagedQuery } }, async (request, reply) => {
    const { client } = request.console!
    const after = pageCursor(request.query.after)
    const page = await deliveriesPage(deps, client.id, after)
    return sendPage(reply, 200, 'webhooks', 'Webhook deliveries', chromeOf(request, 'webhooks'), {
      ...page, paged: Boolean(after), webhookUri: client.webhookUri, notice: notice(request.query.notice),
    })
  })

  // Does what POST /v3/webhook-deliveries/{event_id}/redeliver does: same event, due now, fresh retry window.
  app.post<{ Params: Static<typeof EventParams>, Body: Static<typeof RedeliverBody> }>('/webhooks/:event_id/redeliver', {
    ...signedInPost,
    schema: { params: EventParams, body: RedeliverBody },
  }, async (request, reply) => {
    const { client } = request.console!
    const eventId = request.params.event_id
    const delivery = await findDelivery(deps.db, client.id, eventId)
    if (!delivery) throw new ApiError('NOT_FOUND', 'No webhook event with this id belongs to your client.')
    if (!isWebhookTypeWanted(delivery.type, client.webhookExtensionEvents)) throw new ApiError('INVALID_STATE', unwantedTypeDetail(delivery.type))
    if (!client.webhookUri) {
      throw new ApiError('INVALID_STATE', 'No webhook URI is registered for this client: set one in Settings, then redeliver.')
    }
    await requeueEvent(deps.db, client.id, eventId, deps.clock.realNow())
    const back = request.body.back
    const to = back && UUID.test(back)
      ? `/console/connections/${back}?notice=redelivery_queued#timeline`
      : `/console/webhooks?notice=redelivery_queued#event-${eventId}`
    return reply.redirect(to, 303)
  })
}

import type { Static } from '@sinclair/typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError, invalidField } from '../../contract/errors.ts'
import type { Deps } from '../../deps.ts'
import { requireDataToken } from '../../http/authenticate.ts'
import { browserSurface, FormRefusedError } from '../../http/browser-security.ts'
import { deriveKey } from '../../http/signer.ts'
import { requireJsonBody } from '../../http/require-json.ts'
import { BANK_CALLBACK_PATH } from '../providers/bank-callback.ts'
import { findProvider, type Provider } from '../providers/provider.catalog.ts'
import { balanceOf, customerOf, InvalidCursorError, InvalidQueryError, transactionsOf, UnknownAccountError } from './data/index.ts'
import { mockUser, signIn } from './mock-users.ts'
import { registerBankErrorPages } from './model-bank.error-pages.ts'
import { brandOf, languageOf, renderAccounts, renderLogin } from './model-bank.pages.ts'
import { bindSession, type BankConsentRow, findConsent, revokeConsent, setUsername, signInSession } from './model-bank.repository.ts'
import { describeMockUser } from './model-bank.sandbox.ts'
import {
  AccountParams, createConsentSchema, ProviderParams, ReadQuery, readSchema, sandboxAuthorizeSchema, type SandboxUserParams, sandboxUserSchema,
  TransactionsQuery, tokenSchema,
} from './model-bank.schema.ts'
import { CSRF_FIELD, hashSecret, newSessionId, SESSION_COOKIE } from './model-bank.security.ts'
import {
  accountsOf, authenticateRead, BANK_CONSENT_DAYS, BankApiError, consentClosedReason, consentOfToken, createConsent, decide,
  exchangeCode, refuseAtSignIn, userOf,
} from './model-bank.service.ts'
import { authenticateTpp, type BankTpp, inProcessTppCredentials, registerTpp } from './model-bank.tpps.ts'

type ProviderParamsT = Static<typeof ProviderParams>

/** The synthetic data's refusals, as the bank answers them; anything else is not the bank's to answer. */
function asBankApiError (err: unknown): BankApiError {
  if (err instanceof BankApiError) return err
  if (err instanceof UnknownAccountError) return new BankApiError(404, 'account_not_found', 'The account was not shared with this consent.')
  if (err instanceof InvalidCursorError) return new BankApiError(400, 'invalid_cursor', err.message)
  if (err instanceof InvalidQueryError) return new BankApiError(400, 'invalid_request', err.message)
  throw err
}

/**
 * The model bank: a simulated UK Open Banking bank behind every provider of the catalogue, mounted under
 * /model-bank/{provider_id}/. Ledgerite talks to it only over HTTP (the provider adapter); it keeps its own
 * `bank_` tables and its own time (the server's real time), and knows nothing of clients or connections.
 *
 * Server-to-server, for registered TPPs only (HTTP Basic client credentials, model-bank.tpps.ts): account-access-
 * consents, token, accounts, balance, transactions, userinfo, revoke. Ledgerite is registered at start-up.
 * Browser: authorize (sign in → choose accounts → Allow / Deny), then a 303 to the consent's redirect_uri.
 * Sandbox: approve as a mock user, for the Ledgerite client that owns the consent (its own bearer token).
 */
export async function modelBankRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  const now = () => deps.clock.realNow()
  const pageBase = (providerId: string) => `${deps.config.publicUrl}/model-bank/${encodeURIComponent(providerId)}`

  // This process's Ledgerite is the bank's first TPP: registered at every start (idempotent), with the bank-step
  // callback of this PUBLIC_URL as its redirect URI. Other TPPs are registered with `ledgerite model-bank register`.
  await registerTpp(deps.db, {
    credentials: inProcessTppCredentials(deps.secret),
    name: 'Ledgerite',
    redirectUris: [`${deps.config.publicUrl}${BANK_CALLBACK_PATH}`],
  }, now())

  /**
   * onRequest of every server-to-server route: the calling TPP, authenticated before anything of the request is
   * read (401 problem+json otherwise). Kept per request for the handler.
   */
  const callers = new WeakMap<FastifyRequest, BankTpp>()
  const requireTpp = async (request: FastifyRequest) => { callers.set(request, await authenticateTpp(deps.db, request.headers)) }
  const tppOf = (request: FastifyRequest): BankTpp => {
    const tpp = callers.get(request)
    if (!tpp) throw new Error('model bank: a server-to-server route without requireTpp')
    return tpp
  }

  const providerOr404 = (providerId: string): Provider => {
    const p = findProvider(providerId)
    if (!p) throw new ApiError('NOT_FOUND', `The model bank serves catalogue providers only; ${JSON.stringify(providerId)} is not one.`)
    return p
  }

  /** Answers BankApiErrors in the OAuth shape; anything else goes to the app's error handler. */
  const oauth = <R extends FastifyRequest>(handler: (request: R, reply: FastifyReply) => Promise<unknown>) =>
    async (request: R, reply: FastifyReply) => {
      try {
        return await handler(request, reply)
      } catch (caught) {
        const err = asBankApiError(caught)
        if (err.status === 401) reply.header('WWW-Authenticate', `Bearer error="${err.error}"`)
        return reply.code(err.status).header('cache-control', 'no-store').send({ error: err.error, error_description: err.message })
      }
    }

  // Every browser page of the bank, error pages included, gets the shared layer's headers; the pages themselves
  // then narrow the CSP to their own style block (model-bank.pages.ts). Its form tokens are signed with a key of
  // the bank's own (it shares none with Ledgerite); Lax cookies, as the user arrives from another site by a link.
  const browser = browserSurface(app, {
    key: deriveKey(deps.secret, 'model-bank'), name: 'model-bank', publicUrl: deps.config.publicUrl, htmlOnly: true,
    csp: "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'", referrerPolicy: 'no-referrer', sameSite: 'Lax',
  })
  // …and their refusals are the bank's own error page, in the page's language.
  registerBankErrorPages(app, deps.db, now)

  // ── Server to server: the consent ─────────────────────────────────────────────────────────────────────────
  app.post<{ Params: ProviderParamsT, Body: Static<typeof createConsentSchema.body> }>(
    '/model-bank/:provider_id/account-access-consents',
    { schema: createConsentSchema, onRequest: requireTpp, preValidation: requireJsonBody },
    async (request, reply) => {
      const provider = providerOr404(request.params.provider_id)
      const consent = await createConsent(deps.db, tppOf(request), provider.provider_id, request.body, now())
      return reply.code(201).send({
        consent_id: consent.id,
        status: 'awaiting_authorization' as const,
        authorization_uri: `${pageBase(provider.provider_id)}/authorize?consent_id=${encodeURIComponent(consent.id)}`,
        created_at: consent.created_at,
        authorize_by: consent.authorize_by,
      })
    },
  )

  // ── Browser: sign in, choose accounts, decide ────────────────────────────────────────────────────────────
  const htmlConfig = { html: true }

  /** The consent a browser step is about, still open for the user. */
  const openConsent = async (providerId: string, consentId: unknown): Promise<{ provider: Provider, consent: BankConsentRow }> => {
    const provider = providerOr404(providerId)
    if (typeof consentId !== 'string' || consentId === '') throw invalidField('consent_id', 'is required', 'The link to the bank is incomplete: consent_id is missing.')
    const consent = await findConsent(deps.db, provider.provider_id, consentId)
    if (!consent) throw new ApiError('NOT_FOUND', `This authorisation request does not exist at ${provider.display_name}.`)
    const closed = consentClosedReason(consent, now())
    if (closed) throw new ApiError('INVALID_STATE', closed)
    return { provider, consent }
  }

  /** A form post must come from the bank's page, in the browser session that opened the consent, with its token. */
  const checkFormSession = (request: FastifyRequest, consent: BankConsentRow, body: Record<string, unknown>): string => {
    browser.assertSameOrigin(request)
    const cookie = browser.readCookie(request, SESSION_COOKIE)
    const sessionHash = cookie ? hashSecret(cookie) : undefined
    if (!sessionHash || sessionHash !== consent.session_hash) {
      throw new ApiError('FORBIDDEN', 'Your session at the bank has ended (was the link opened in another browser, or are cookies blocked?). Go back to the app and start again.')
    }
    if (!browser.verifyFormToken(body[CSRF_FIELD], sessionHash, consent.id)) {
      throw new FormRefusedError('it has expired or did not come from the bank\'s page')
    }
    return sessionHash
  }

  const accountsPage = (request: FastifyRequest, reply: FastifyReply, status: number, provider: Provider, consent: BankConsentRow, sessionHash: string, username: string, extra: { checked: Set<string> | 'all', error?: 'accounts.none_chosen' | 'accounts.not_yours' }) => {
    const customer = customerOf(provider.provider_id, username)
    return renderAccounts(reply, status, {
      language: languageOf(request, consent.language_code),
      bank: brandOf(provider),
      clientName: consent.client_name,
      consentId: consent.id,
      csrf: browser.formToken(sessionHash, consent.id),
      action: `${pageBase(provider.provider_id)}/authorize/decision`,
      fullName: customer.fullName,
      scopes: JSON.parse(consent.scopes) as string[],
      dataAccessType: consent.data_access_type,
      consentDays: BANK_CONSENT_DAYS,
      accounts: customer.accounts,
      ...extra,
    })
  }

  const loginPage = (request: FastifyRequest, reply: FastifyReply, status: number, provider: Provider, consent: BankConsentRow, sessionHash: string, username = '', error?: 'login.wrong' | 'login.missing') =>
    renderLogin(reply, status, {
      language: languageOf(request, consent.language_code),
      bank: brandOf(provider),
      clientName: consent.client_name,
      consentId: consent.id,
      csrf: browser.formToken(sessionHash, consent.id),
      action: `${pageBase(provider.provider_id)}/authorize/login`,
      username,
      ...(error ? { error } : {}),
    })

  app.get<{ Params: ProviderParamsT, Querystring: { consent_id?: string } }>('/model-bank/:provider_id/authorize', { config: htmlConfig }, async (request, reply) => {
    const { provider, consent } = await openConsent(request.params.provider_id, request.query.consent_id)
    const cookie = browser.readCookie(request, SESSION_COOKIE)
    if (cookie && hashSecret(cookie) === consent.session_hash) {
      const user = userOf(consent)
      if (user) return accountsPage(request, reply, 200, provider, consent, consent.session_hash, user.username, { checked: 'all' })
      return loginPage(request, reply, 200, provider, consent, consent.session_hash)
    }
    // A browser without this consent's session: it becomes the one signing in (anyone before it starts over).
    const session = cookie ?? newSessionId()
    const sessionHash = hashSecret(session)
    if (!await bindSession(deps.db, consent.id, sessionHash)) throw new ApiError('INVALID_STATE', 'This authorisation request has already been completed.')
    if (!cookie) browser.setCookie(reply, SESSION_COOKIE, session, { path: '/model-bank/' })
    return loginPage(request, reply, 200, provider, consent, sessionHash)
  })

  app.post<{ Params: ProviderParamsT, Body: Record<string, unknown> | undefined }>('/model-bank/:provider_id/authorize/login', { config: htmlConfig }, async (request, reply) => {
    const body = request.body ?? {}
    const { provider, consent } = await openConsent(request.params.provider_id, body.consent_id)
    const sessionHash = checkFormSession(request, consent, body)
    const username = typeof body.username === 'string' ? body.username.trim() : ''
    const password = typeof body.password === 'string' ? body.password : ''
    const user = username && password ? signIn(username, password) : undefined
    if (!user) {
      request.log.info({ consent_id: consent.id }, 'model bank: sign-in refused')
      return loginPage(request, reply, 401, provider, consent, sessionHash, username.slice(0, 100), username && password ? 'login.wrong' : 'login.missing')
    }
    if (!await signInSession(deps.db, consent.id, sessionHash, user.key)) {
      throw new ApiError('FORBIDDEN', 'Your session at the bank has ended. Go back to the app and start again.')
    }
    if (user.behaviour.kind === 'refused_at_sign_in') {
      const { redirect } = await refuseAtSignIn(deps.db, consent, user.behaviour.reason, now())
      return reply.code(303).header('Location', redirect).header('Cache-Control', 'no-store').send()
    }
    return reply.code(303).header('Location', `${pageBase(provider.provider_id)}/authorize?consent_id=${encodeURIComponent(consent.id)}&ui_locales=${languageOf(request, consent.language_code).lang}`).send()
  })

  app.post<{ Params: ProviderParamsT, Body: Record<string, unknown> | undefined }>('/model-bank/:provider_id/authorize/decision', { config: htmlConfig }, async (request, reply) => {
    const body = request.body ?? {}
    const { provider, consent } = await openConsent(request.params.provider_id, body.consent_id)
    const sessionHash = checkFormSession(request, consent, body)
    const user = userOf(consent)
    if (!user) return reply.code(303).header('Location', `${pageBase(provider.provider_id)}/authorize?consent_id=${encodeURIComponent(consent.id)}&ui_locales=${languageOf(request, consent.language_code).lang}`).send()
    const decision = body.decision
    if (decision !== 'allow' && decision !== 'deny') throw invalidField('decision', 'must be allow or deny', 'Choose Allow or Deny.')
    const raw = body.account_ids
    const accountIds = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string')
    const result = await decide(deps.db, consent, user, { decision, accountIds }, now())
    if ('error' in result) {
      return accountsPage(request, reply, 400, provider, consent, sessionHash, user.username, { checked: new Set(accountIds), error: accountIds.length === 0 ? 'accounts.none_chosen' : 'accounts.not_yours' })
    }
    return reply.code(303).header('Location', result.redirect).header('Cache-Control', 'no-store').send()
  })

  // ── Server to server: token, reads, revoke ───────────────────────────────────────────────────────────────
  app.post<{ Params: ProviderParamsT, Body: Record<string, unknown> | undefined }>('/model-bank/:provider_id/token', { schema: tokenSchema, onRequest: requireTpp }, oauth(async (request, reply) => {
    providerOr404(request.params.provider_id)
    const body = request.body ?? {}
    const str = (k: string) => (typeof body[k] === 'string' && body[k] !== '' ? body[k] as string : undefined)
    const grantType = str('grant_type')
    if (!grantType) throw new BankApiError(400, 'invalid_request', 'grant_type is required; use grant_type=authorization_code.')
    if (grantType !== 'authorization_code') throw new BankApiError(400, 'unsupported_grant_type', `grant_type ${JSON.stringify(grantType)} is not supported; use authorization_code.`)
    for (const field of ['code', 'code_verifier', 'redirect_uri']) {
      if (!str(field)) throw new BankApiError(400, 'invalid_request', `${field} is required.`)
    }
    const token = await exchangeCode(deps.db, tppOf(request), request.params.provider_id, { code: str('code')!, codeVerifier: str('code_verifier')!, redirectUri: str('redirect_uri')! }, now())
    return reply.header('cache-control', 'no-store').send(token)
  }))

  const asOfOf = (q: { as_of?: string }): Date => (q.as_of ? new Date(q.as_of) : now())
  const needScope = (scopes: string[], scope: string) => {
    if (!scopes.includes(scope)) throw new BankApiError(403, 'insufficient_scope', `The consent does not include the "${scope}" permission.`)
  }
  const needAccount = (accountIds: string[], accountId: string) => {
    if (!accountIds.includes(accountId)) throw new BankApiError(404, 'account_not_found', 'The account was not shared with this consent.')
  }

  app.get<{ Params: ProviderParamsT, Querystring: Static<typeof ReadQuery> }>('/model-bank/:provider_id/accounts',
    { schema: readSchema('List the consented accounts (model bank)', { params: ProviderParams, querystring: ReadQuery }), onRequest: requireTpp },
    oauth(async (request) => {
      const { user, accountIds } = await authenticateRead(deps.db, tppOf(request), request.params.provider_id, request.headers.authorization, now())
      const chosen = new Set(accountIds)
      return { accounts: accountsOf(request.params.provider_id, user).filter((a) => chosen.has(a.id)) }
    }))

  app.get<{ Params: Static<typeof AccountParams>, Querystring: Static<typeof ReadQuery> }>('/model-bank/:provider_id/accounts/:account_id/balance',
    { schema: readSchema('Read an account\'s balance (model bank)', { params: AccountParams, querystring: ReadQuery }), onRequest: requireTpp },
    oauth(async (request) => {
      const { user: { username }, accountIds, scopes } = await authenticateRead(deps.db, tppOf(request), request.params.provider_id, request.headers.authorization, now())
      needScope(scopes, 'balance')
      needAccount(accountIds, request.params.account_id)
      return { balance: balanceOf(request.params.provider_id, username, request.params.account_id, asOfOf(request.query)) }
    }))

  app.get<{ Params: Static<typeof AccountParams>, Querystring: Static<typeof TransactionsQuery> }>('/model-bank/:provider_id/accounts/:account_id/transactions',
    { schema: readSchema('Read an account\'s transactions, a page at a time (model bank)', { params: AccountParams, querystring: TransactionsQuery }), onRequest: requireTpp },
    oauth(async (request) => {
      const { user: { username }, accountIds, scopes } = await authenticateRead(deps.db, tppOf(request), request.params.provider_id, request.headers.authorization, now())
      needScope(scopes, 'transactions')
      needAccount(accountIds, request.params.account_id)
      const q = request.query
      if (q.from > q.to) throw new BankApiError(400, 'invalid_date_range', '`from` must not be after `to`.')
      const page = transactionsOf(request.params.provider_id, username, request.params.account_id, {
        from: q.from, to: q.to, pageSize: q.page_size, asOf: asOfOf(q), ...(q.cursor ? { cursor: q.cursor } : {}),
      })
      return { transactions: page.items, next_cursor: page.nextCursor }
    }))

  app.get<{ Params: ProviderParamsT, Querystring: Static<typeof ReadQuery> }>('/model-bank/:provider_id/userinfo',
    { schema: readSchema('Who the consenting user is (model bank)', { params: ProviderParams, querystring: ReadQuery }), onRequest: requireTpp },
    oauth(async (request) => {
      const { user: { username }, scopes } = await authenticateRead(deps.db, tppOf(request), request.params.provider_id, request.headers.authorization, now())
      needScope(scopes, 'info')
      return { name: customerOf(request.params.provider_id, username).fullName }
    }))

  app.delete<{ Params: ProviderParamsT & { consent_id: string } }>('/model-bank/:provider_id/account-access-consents/:consent_id',
    { schema: readSchema('Revoke a consent (model bank)'), onRequest: requireTpp },
    oauth(async (request, reply) => {
      // Revoking works for any token of the consent, even an error.* user's, and twice is harmless.
      const { consent } = await consentOfToken(deps.db, tppOf(request), request.params.provider_id, request.headers.authorization)
      if (consent.id !== request.params.consent_id) throw new BankApiError(403, 'access_denied', 'The token was not issued for this consent.')
      await revokeConsent(deps.db, consent.id, now().toISOString())
      return reply.code(204).send()
    }))

  // ── Sandbox: approve or deny as a mock user, without a browser ───────────────────────────────────────────
  // Only the Ledgerite client the consent was made for may do this, with its own bearer token (sandbox control's
  // authorise call forwards it): the consent id travels in the bank link the user holds, so it proves nothing.
  // Another client's consent is 404, as every other client's resource is.
  if (deps.config.sandboxControl) {
    app.post<{ Params: ProviderParamsT, Body: Static<typeof sandboxAuthorizeSchema.body> }>('/model-bank/:provider_id/sandbox/authorize',
      { schema: sandboxAuthorizeSchema, onRequest: requireDataToken(deps.tokens), preValidation: requireJsonBody },
      async (request) => {
        const { body } = request
        const owned = await findConsent(deps.db, providerOr404(request.params.provider_id).provider_id, body.consent_id)
        if (!owned || owned.owner_client_id === null || owned.owner_client_id !== request.clientId) {
          throw new ApiError('NOT_FOUND', 'This authorisation request does not exist, or was not made for your client.')
        }
        const { consent } = await openConsent(request.params.provider_id, body.consent_id)
        const user = mockUser(body.username)
        if (!user) throw invalidField('username', 'is not a mock user of the model bank (see "Mock users" in the README)')
        if (!await setUsername(deps.db, consent.id, user.key)) throw new ApiError('INVALID_STATE', 'This authorisation request has already been completed.')
        const accountIds = body.account_ids ?? accountsOf(consent.provider_id, user).map((a) => a.id)
        const result = await decide(deps.db, { ...consent, username: user.key }, user, { decision: body.decision, accountIds }, now())
        if ('error' in result) throw invalidField('account_ids', result.error)
        return { redirect_uri: result.redirect }
      })

    // What a mock user does, answered over HTTP: Ledgerite's sandbox control asks here instead of knowing the catalogue.
    app.get<{ Params: Static<typeof SandboxUserParams> }>('/model-bank/:provider_id/sandbox/users/:username',
      { schema: sandboxUserSchema, onRequest: requireDataToken(deps.tokens) },
      async (request, reply) => {
        providerOr404(request.params.provider_id)
        const user = mockUser(request.params.username)
        if (!user) {
          return reply.code(404).send({ error: 'unknown_user', error_description: 'The model bank has no such mock user (see "Mock users" in the README).' })
        }
        return describeMockUser(user)
      })
  }
}

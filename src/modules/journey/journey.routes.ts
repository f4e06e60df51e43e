import { type Static, Type } from '@sinclair/typebox'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError } from '../../contract/errors.ts'
import { ids, sha256 } from '../../contract/ids.ts'
import type { Deps } from '../../deps.ts'
import { browserSurface, FormRefusedError } from '../../http/browser-security.ts'
import { type Connection, configurationOf } from '../connections/connection.model.ts'
import { POLICY } from '../connections/connection.policy.ts'
import { findProvider } from '../providers/provider.catalog.ts'
import { accountsShared, chooseLanguage, countryName, isMessageKey, translator } from './i18n.ts'
import { accentCss, JOURNEY_CSS, JOURNEY_JS, PICKER_JS } from './journey.assets.ts'
import { markOf, markSprite, markSvg, symbolId } from './provider-marks.ts'
import { JourneyPageError } from './journey.errors.ts'
import type { MessageKey } from './journey.messages.ts'
import type { Client } from '../auth/client.repository.ts'
import { claimHandoff, type JourneySession, updateSession } from './journey-session.repository.ts'
import {
  assertJourneyOpen, type Brand, brandOf, cancelJourney, chosenProviderId, clientOf, continueUri, declineConsent, giveUpAfterBankFailure,
  goToBank, heldNextSteps, isFinal, isHeld, liveState, loadByPhone, loadBySignedLink, loadByToken, loadConnection, pickerModel,
  providersFor, resultPath, statusPath, stepOf, tryAnotherBank,
} from './journey.service.ts'
import { checkAccentColour, LOGO_EXTENSION } from './branding.ts'
import { findLogo } from '../auth/client-branding.repository.ts'
import { renderPage, type PageData } from './journey.views.ts'
import { ensureHandoff, HANDOFF_TTL_MINUTES, handoffUri, isMobileBrowser, linkExpiry, qrDataUri } from './qr-handoff.ts'

/**
 * The hosted authorisation pages (`hosted_page.uri` = /data/{id}?token=…): provider picker → consent → desktop
 * hand-off or straight on → the bank (bank-step.ts) → result page → the client's return URI. Server-rendered,
 * usable without JavaScript; every form carries a CSRF token; every page is sent with a strict CSP.
 */
const PHONE_COOKIE = 'ledgerite_phone'
/**
 * The hosted-page token of the browser that left for the bank from a page that had it (scoped to the connection's
 * pages): the bank sends that browser back to the result page, whose link does not carry the token, and a failed
 * attempt the journey holds is answered with the page that has the token's forms ("Try another bank").
 */
const JOURNEY_COOKIE = 'ledgerite_journey'
/** What the forms' tokens are bound to when there is no session: a random value in this cookie (double submit, signed). */
const CSRF_COOKIE = 'ledgerite_csrf'
/** The GB banks most people look for, shown first on the GB picker (ids missing from the catalogue are skipped). */
const POPULAR_GB = ['ob-monzo', 'ob-barclays', 'ob-hsbc', 'ob-lloyds', 'ob-natwest', 'ob-santander', 'ob-nationwide', 'ob-halifax', 'ob-starling', 'ob-revolut']
/** Case- and accent-insensitive text for the picker's search as you type (the same folding as the server's). */
const fold = (s: string): string => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase()
const SCOPE_ORDER = ['info', 'accounts', 'balance', 'transactions'] as const

const Id = Type.Object({ id: Type.String({ maxLength: 64 }) })
const Str = (max: number) => Type.Optional(Type.String({ maxLength: max }))
// Each route is typed from these schemas with Fastify's route generic (`Static<typeof …>`): the installed type
// provider infers from the newer `typebox` package, not the `@sinclair/typebox` these schemas are built with.
const AssetFile = (maxLength: number) => Type.Object({ file: Type.String({ maxLength }) })
type AssetFileT = Static<ReturnType<typeof AssetFile>>
const PageQuery = Type.Object({ token: Str(200), q: Str(200), country: Str(8), change: Str(4) })
const ProviderForm = Type.Object({ token: Str(200), _csrf: Str(200), provider_id: Type.String({ maxLength: 100 }) }, { additionalProperties: false })
const ConsentForm = Type.Object({ token: Str(200), _csrf: Str(200), decision: Type.Union([Type.Literal('allow'), Type.Literal('decline')]) }, { additionalProperties: false })
/** The forms posted from the computer (hosted-page token) or the handed-off phone (cookie): bank and cancel. */
const ComputerOrPhoneForm = Type.Object({ token: Str(200), _csrf: Str(200) }, { additionalProperties: false })
const HandoffQuery = Type.Object({ h: Str(200) })
const SignedLinkQuery = Type.Object({ l: Str(200) })
type IdT = Static<typeof Id>

export async function journeyRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  const publicUrl = deps.config.publicUrl
  const bankOrigin = new URL(deps.config.modelBankUrl ?? publicUrl).origin
  const selfOrigin = new URL(publicUrl).origin
  const formAction = bankOrigin === selfOrigin ? "'self'" : `'self' ${bankOrigin}`
  // The QR code carries PUBLIC_URL: on a loopback address no phone can open it. Said at start, and on the page.
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i.test(new URL(publicUrl).hostname)
  if (loopback) {
    app.log.warn({ publicUrl }, 'PUBLIC_URL is a loopback address: the hosted pages\' QR hand-off links cannot be opened on a phone. Set PUBLIC_URL to an address the phone can reach (a LAN address or a tunnel).')
  }
  const cspWith = (formTargets: string) => [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "script-src 'self'", // journey.js only: the desktop page's live update
    "connect-src 'self'", // …which polls the status endpoint
    `form-action ${formTargets}`, // the bank step answers a form POST with a redirect to the bank
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ')
  const CSP = cspWith(formAction)
  /**
   * A page whose "Cancel and return" / "Return to {client}" form is answered with a redirect to the client's return
   * URI: browsers hold a form's redirects to form-action too, so that page's policy names the return URI's origin.
   */
  const allowReturnTo = (reply: FastifyReply, back: string | undefined) => {
    const origin = back ? new URL(back).origin : undefined
    if (origin && origin !== selfOrigin && origin !== bankOrigin) reply.header('content-security-policy', cspWith(`${formAction} ${origin}`))
  }

  // No referrer: the page's URL carries the hosted-page token. Lax cookies: the user arrives by a link.
  const browser = browserSurface(app, { key: deps.secret, name: 'journey', publicUrl, csp: CSP, referrerPolicy: 'no-referrer', sameSite: 'Lax' })
  /** The forms' hidden field for this browser, setting its CSRF cookie when it has none yet. */
  const csrfField = (request: FastifyRequest, reply: FastifyReply) =>
    browser.formToken(browser.browserBinding(request, reply, CSRF_COOKIE, { path: '/data' }))
  /** Refuses a form whose hidden field does not match this browser's cookie, in the journey's language. */
  const checkCsrf = (request: FastifyRequest, field: string | undefined, languageCode?: string | null) => {
    const cookie = browser.readCookie(request, CSRF_COOKIE)
    if (!cookie || !browser.verifyFormToken(field, cookie)) throw new JourneyPageError('form', languageCode)
  }

  // Hosted-page problems render as pages in the user's language; anything else goes to the app's handler
  // (which renders the plain HTML error page for these `html: true` routes, never a stack trace).
  // It serves every route here, the assets' too: `id` and a body are there only on the journey's own pages and forms.
  app.setErrorHandler<FastifyError, { Params: { id?: string }, Body: { token?: string } | undefined }>(async (err, request, reply) => {
    if (!request.routeOptions.config?.html) throw err
    if (err instanceof JourneyPageError && err.problem === 'state' && request.method === 'POST') {
      // A form from a page the journey has moved past (Back, a reload, another tab or device): show the page for
      // where the journey is now, never an error.
      const { id } = request.params
      const token = request.body?.token
      if (id) return reply.redirect(token ? tokenPage(id, token) : `${pagePath(id)}/phone`, 303)
    }
    if (err instanceof JourneyPageError) return sendProblem(request, reply, err)
    if (err instanceof FormRefusedError) return sendProblem(request, reply, new JourneyPageError('form'))
    // A form that is not one of ours (unknown field, impossible value): the same page, as a 400.
    if (err.validation) return sendProblem(request, reply, new JourneyPageError('form', undefined, undefined, 400))
    if (err instanceof ApiError && err.status === 404) return sendProblem(request, reply, new JourneyPageError('invalid'))
    throw err
  })

  function sendProblem (request: FastifyRequest, reply: FastifyReply, err: JourneyPageError) {
    const lang = chooseLanguage(err.languageCode, request.headers['accept-language'])
    const t = translator(lang)
    const key = err.problem
    const text = key === 'expired' ? t('error.expired_body', { hours: POLICY.journeyLinkTtlHours }) : t(`error.${key}_body` as MessageKey)
    return reply.code(err.status).type('text/html; charset=utf-8').send(renderPage('error', {
      lang, t, title: t(`error.${key}_title` as MessageKey), heading: t(`error.${key}_title` as MessageKey), text,
      status: err.status, traceId: request.id,
      clientName: err.way?.clientName, continueHref: err.way?.continueHref,
    }))
  }

  /** Language, translator and the bits every page of a connection shows. */
  function pageBase (request: FastifyRequest, c: Connection, brand: Brand, title: MessageKey, params?: Record<string, string>): PageData {
    const lang = chooseLanguage(c.hostedPage?.language_code, request.headers['accept-language'])
    const t = translator(lang)
    return { lang, t, title: t(title, params), userName: c.user.name, brand }
  }

  /** The client and how its pages look. */
  const clientAndBrand = async (c: Connection) => {
    const client = await clientOf(deps, c)
    return { client, brand: await brandOf(deps, client) }
  }

  /** "Cancel and return to {client}" (or plain "Cancel" when there is no return URI to go back to). */
  const cancelOf = (reply: FastifyReply, id: string, c: Connection, client: Client, brand: Brand, t: PageData['t']) => {
    const back = continueUri(c, client)
    allowReturnTo(reply, back)
    return { action: `${pagePath(id)}/cancel`, label: back ? t('cancel.return', { client: brand.name }) : t('cancel.plain') }
  }

  const providerView = (id: string, lang: string) => {
    const p = findProvider(id)
    return {
      id,
      name: p?.display_name || id,
      mark: p ? markOf(p) : { label: '?', colour: '#4b4b55', ink: '#ffffff' },
      symbol: symbolId(id),
      country: p ? countryName(lang, p.country) : '',
      search: fold(`${p?.display_name || ''} ${id}`),
    }
  }

  const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').send(body)

  /**
   * A failed bank attempt the journey holds (bank-retry.policy.ts): what happened, and the ways on — "Try again"
   * (same bank), "Try another bank" (configuration 1, on the page with the token: the picker needs it; the phone
   * is sent back to the computer for it), "Return to {client}" (the failure becomes final). Without a credential
   * for the forms (a browser that lost its cookies), only what happened and where to go back to.
   */
  async function heldPage (request: FastifyRequest, reply: FastifyReply, c: Connection, session: JourneySession | undefined, from: { token?: string, phone?: boolean }) {
    const id = c.id
    const { client, brand } = await clientAndBrand(c)
    const base = pageBase(request, c, brand, 'result.failure_title')
    const reason = c.bankFailureReason ?? 'other'
    const steps = heldNextSteps(c)
    const providerId = chosenProviderId(c, session)
    const credential = Boolean(from.token || from.phone)
    const now = await deps.clock.now(c.clientId)
    const back = continueUri(c, client)
    if (credential) allowReturnTo(reply, back)
    return html(reply, renderPage('held', {
      ...base,
      // Follows the other device (it may try again there): reloads when the journey moves on. Quiet without
      // JavaScript: a page the user is reading and choosing on is not refreshed under them.
      live: { statusUri: statusPath(deps, id, now), state: 'held', quiet: true },
      token: from.token,
      csrf: credential ? csrfField(request, reply) : undefined,
      clientName: brand.name,
      provider: providerId ? providerView(providerId, base.lang) : undefined,
      failureReason: reason,
      reasonText: base.t(isMessageKey(`reason.${reason}`) ? `reason.${reason}` as MessageKey : 'reason.other'),
      actions: credential
        ? {
            tryAgain: steps.includes('try_again') ? `${pagePath(id)}/retry` : undefined,
            tryAnother: steps.includes('try_another_bank') && from.token ? `${pagePath(id)}/another-bank` : undefined,
            anotherOnComputer: steps.includes('try_another_bank') && !from.token,
            giveUp: {
              action: `${pagePath(id)}/cancel`,
              label: back ? base.t('held.return', { client: brand.name }) : base.t('cancel.plain'),
            },
          }
        : undefined,
    }))
  }

  /** Remembers the hosted-page token in this browser as it leaves for the bank (JOURNEY_COOKIE). */
  const rememberToken = (reply: FastifyReply, c: Connection, token: string | undefined, now: Date) => {
    if (!token) return
    const maxAge = c.journeyExpiresAt ? Math.max(60, Math.floor((Date.parse(c.journeyExpiresAt) - now.getTime()) / 1000)) : 3600
    browser.setCookie(reply, JOURNEY_COOKIE, token, { path: pagePath(c.id), maxAgeSeconds: maxAge })
  }
  const pagePath = (id: string) => `/data/${encodeURIComponent(id)}`
  const tokenPage = (id: string, token: string) => `${pagePath(id)}?token=${encodeURIComponent(token)}`

  // ---- assets ---------------------------------------------------------------------------------------------
  app.get('/data/assets/journey.css', async (_request, reply) =>
    reply.header('Cache-Control', 'public, max-age=3600').type('text/css; charset=utf-8').send(JOURNEY_CSS))
  app.get('/data/assets/journey.js', async (_request, reply) =>
    reply.header('Cache-Control', 'public, max-age=3600').type('text/javascript; charset=utf-8').send(JOURNEY_JS))
  app.get('/data/assets/picker.js', async (_request, reply) =>
    reply.header('Cache-Control', 'public, max-age=3600').type('text/javascript; charset=utf-8').send(PICKER_JS))
  app.get<{ Params: AssetFileT }>('/data/assets/providers/:file', { schema: { params: AssetFile(80) } }, async (request, reply) => {
    const { file } = request.params
    const provider = /^[a-z0-9-]+\.svg$/.test(file) ? findProvider(file.slice(0, -4)) : undefined
    if (!provider) throw new ApiError('NOT_FOUND', 'No such provider logo.')
    return reply.header('Cache-Control', 'public, max-age=86400').type('image/svg+xml').send(markSvg(provider))
  })

  // A client's logo, from the database: named by its hash (so cached for good), served with the type its bytes were
  // checked to be (branding.ts), never sniffed, and with a CSP that lets nothing in it run.
  app.get<{ Params: AssetFileT }>('/data/assets/logos/:file', { schema: { params: AssetFile(80) } }, async (request, reply) => {
    const { file } = request.params
    const m = /^([0-9a-f]{64})\.(png|jpg|webp)$/.exec(file)
    const logo = m ? await findLogo(deps.db, m[1]!) : undefined
    if (!logo || LOGO_EXTENSION[logo.type] !== m![2]) throw new ApiError('NOT_FOUND', 'No such logo.')
    return reply.header('Cache-Control', 'public, max-age=31536000, immutable').header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "default-src 'none'; sandbox").type(logo.type).send(logo.bytes)
  })
  // A client's accent colour as a stylesheet (the pages' CSP allows no inline style): the colour is in the URL, so
  // any colour that passes the same contrast check as the settings gets the same cacheable file.
  app.get<{ Params: AssetFileT }>('/data/assets/accent/:file', { schema: { params: AssetFile(20) } }, async (request, reply) => {
    const { file } = request.params
    const m = /^([0-9a-f]{6})\.css$/.exec(file)
    const checked = m ? checkAccentColour(`#${m[1]}`) : undefined
    if (!checked || !('colour' in checked)) throw new ApiError('NOT_FOUND', 'No such stylesheet.')
    return reply.header('Cache-Control', 'public, max-age=86400').type('text/css; charset=utf-8').send(accentCss(checked.colour))
  })

  // ---- the hosted page ------------------------------------------------------------------------------------
  app.get<{ Params: IdT, Querystring: Static<typeof PageQuery> }>('/data/:id', {
    config: { html: true },
    schema: { params: Id, querystring: PageQuery },
  }, async (request, reply) => {
    const { id } = request.params
    const query = request.query
    const { connection: c, session, now } = await loadByToken(deps, id, query.token)
    const token = query.token!
    const mobile = isMobileBrowser(request.headers['user-agent'])
    const step = stepOf(c, session, { mobile, changeBank: query.change === '1' })
    if (step === 'done') return reply.redirect(resultPath(deps, id, now), 303)
    if (step === 'held') return heldPage(request, reply, c, session, { token })
    const { client, brand } = await clientAndBrand(c)
    const providerId = chosenProviderId(c, session)
    const cancel = cancelOf(reply, id, c, client, brand, translator(chooseLanguage(c.hostedPage?.language_code, request.headers['accept-language'])))
    const common = { token, csrf: csrfField(request, reply), clientName: brand.name, pagePath: pagePath(id), cancel }

    if (step === 'picker') {
      const base = pageBase(request, c, brand, 'picker.title')
      const m = pickerModel(c, { q: query.q, country: query.country })
      const href = (country: string | undefined) => `${tokenPage(id, token)}${country ? `&country=${encodeURIComponent(country)}` : ''}`
      // GB (the catalogue's largest country) opens with the banks most people look for; the rest A–Z.
      const popular = !m.q && m.country === 'GB' ? m.providers.filter((p) => POPULAR_GB.includes(p.provider_id)) : []
      popular.sort((a, b) => POPULAR_GB.indexOf(a.provider_id) - POPULAR_GB.indexOf(b.provider_id))
      const rest = m.providers.filter((p) => !popular.includes(p))
      if (!m.q) rest.sort((a, b) => (a.display_name || a.provider_id).localeCompare(b.display_name || b.provider_id, base.lang))
      const groups = [
        ...(popular.length ? [{ id: 'popular', title: base.t('picker.popular'), providers: popular.map((p) => providerView(p.provider_id, base.lang)) }] : []),
        { id: 'all', title: popular.length ? base.t('picker.all_banks') : undefined, providers: rest.map((p) => providerView(p.provider_id, base.lang)) },
      ].filter((g) => g.providers.length > 0)
      return html(reply, renderPage('picker', {
        ...base, ...common,
        q: m.q,
        country: m.country,
        tabs: m.countries.map((code) => ({ href: href(code), name: countryName(base.lang, code), current: !m.q && code === m.country })),
        clearHref: href(m.country),
        groups,
        providerCount: m.providers.length,
        sprite: markSprite(m.providers),
        formAction: `${pagePath(id)}/provider`,
      }))
    }
    if (step === 'consent') {
      const base = pageBase(request, c, brand, 'consent.title', { client: brand.name })
      return html(reply, renderPage('consent', {
        ...base, ...common,
        provider: providerView(providerId!, base.lang),
        scopes: SCOPE_ORDER.filter((s) => c.scopes.includes(s)).map((s) => base.t(`scope.${s}`)),
        access: c.dataAccessType === 'one_time'
          ? base.t('consent.one_time', { client: brand.name, minutes: POLICY.oneTimeAccessWindowMinutes })
          : base.t('consent.recurring', { client: brand.name, days: POLICY.consentValidityDays }),
        privacyUrl: brand.privacyUrl,
        formAction: `${pagePath(id)}/consent`,
        changeBankHref: configurationOf(c) === 1 ? `${tokenPage(id, token)}&change=1` : undefined,
      }))
    }
    if (step === 'continue') {
      const base = pageBase(request, c, brand, 'continue.title', { provider: providerView(providerId!, 'en').name })
      return html(reply, renderPage('continue', { ...base, ...common, provider: providerView(providerId!, base.lang), formAction: `${pagePath(id)}/bank` }))
    }
    const live = { statusUri: statusPath(deps, id, now), state: liveState(c, session, now) }
    if (step === 'handoff') {
      const expires = await ensureHandoff(deps.db, session!, now)
      const uri = handoffUri(publicUrl, deps.secret, id, expires)
      const base = pageBase(request, c, brand, 'handoff.title', { provider: providerView(providerId!, 'en').name })
      return html(reply, renderPage('handoff', {
        ...base, ...common,
        live: { ...live, state: 'handoff' },
        provider: providerView(providerId!, base.lang),
        handoffUri: uri,
        qr: await qrDataUri(uri),
        handoffMinutes: HANDOFF_TTL_MINUTES,
        loopbackUrl: loopback ? selfOrigin : undefined,
        formAction: `${pagePath(id)}/bank`,
      }))
    }
    if (step === 'phone_opened') {
      const base = pageBase(request, c, brand, 'handoff.opened_title')
      return html(reply, renderPage('phone-opened', { ...base, ...common, live, provider: providerView(providerId!, base.lang), formAction: `${pagePath(id)}/bank` }))
    }
    // waiting: the bank step has begun, here or on the phone
    const base = pageBase(request, c, brand, 'waiting.title')
    return html(reply, renderPage('waiting', {
      ...base, clientName: brand.name, live, provider: providerId ? providerView(c.providerId ?? providerId, base.lang) : undefined, refreshHref: tokenPage(id, token),
    }))
  })

  // The user picked a bank (configuration 1). Changing the bank withdraws consent given for the previous one.
  app.post<{ Params: IdT, Body: Static<typeof ProviderForm> }>('/data/:id/provider', {
    config: { html: true },
    schema: { params: Id, body: ProviderForm },
  }, async (request, reply) => {
    const { id } = request.params
    const body = request.body
    browser.assertSameOrigin(request)
    const { connection: c, now } = await loadByToken(deps, id, body.token)
    const lang = c.hostedPage?.language_code
    checkCsrf(request, body._csrf, lang)
    if (c.status !== 'authorization_required' || configurationOf(c) !== 1 || isHeld(c)) throw new JourneyPageError('state', lang)
    if (!providersFor(c).some((p) => p.provider_id === body.provider_id)) throw new JourneyPageError('provider', lang)
    await updateSession(deps.db, id, { provider_id: body.provider_id, consent_given_at: null }, now)
    return reply.redirect(tokenPage(id, body.token!), 303)
  })

  app.post<{ Params: IdT, Body: Static<typeof ConsentForm> }>('/data/:id/consent', {
    config: { html: true },
    schema: { params: Id, body: ConsentForm },
  }, async (request, reply) => {
    const { id } = request.params
    const body = request.body
    browser.assertSameOrigin(request)
    const { connection: c, session, now } = await loadByToken(deps, id, body.token)
    const lang = c.hostedPage?.language_code
    checkCsrf(request, body._csrf, lang)
    if (stepOf(c, session, { mobile: false }) !== 'consent') throw new JourneyPageError('state', lang)
    if (body.decision === 'decline') {
      await declineConsent(deps, c, now)
      return reply.redirect(resultPath(deps, id, now), 303)
    }
    await updateSession(deps.db, id, { consent_given_at: now.toISOString() }, now)
    // On a phone there is nothing to hand off: straight to the bank. On a desktop, the hand-off choice.
    if (isMobileBrowser(request.headers['user-agent'])) {
      const fresh: JourneySession = { ...session!, consent_given_at: now.toISOString() }
      const bank = await goToBank(deps, c, fresh, now)
      rememberToken(reply, c, body.token, now)
      return reply.redirect(bank, 303)
    }
    return reply.redirect(tokenPage(id, body.token!), 303)
  })

  /**
   * A form posted from the computer (it carries the hosted-page token) or from the handed-off phone (its cookie):
   * same-origin and CSRF checked, then the connection and journey it acts on.
   */
  async function loadFromComputerOrPhone (request: FastifyRequest<{ Body: Static<typeof ComputerOrPhoneForm> }>, id: string) {
    const body = request.body
    browser.assertSameOrigin(request)
    const loaded = body.token
      ? await loadByToken(deps, id, body.token)
      : await loadByPhone(deps, id, browser.readCookie(request, PHONE_COOKIE))
    checkCsrf(request, body._csrf, loaded.connection.hostedPage?.language_code)
    return loaded
  }

  // Leave for the bank: from the desktop ("continue on this device"), a phone browser, or the handed-off phone
  // (cookie). `retry` is "Try again" after a failed bank attempt the journey holds: the same bank, straight there.
  const toTheBank = (options: { retry?: boolean }) => async (request: FastifyRequest<{ Params: IdT, Body: Static<typeof ComputerOrPhoneForm> }>, reply: FastifyReply) => {
    const { id } = request.params
    const { connection: c, session, now } = await loadFromComputerOrPhone(request, id)
    const bank = await goToBank(deps, c, session, now, options)
    rememberToken(reply, c, request.body.token, now)
    return reply.redirect(bank, 303)
  }
  const bankForm = { config: { html: true }, schema: { params: Id, body: ComputerOrPhoneForm } }
  app.post<{ Params: IdT, Body: Static<typeof ComputerOrPhoneForm> }>('/data/:id/bank', bankForm, toTheBank({}))
  app.post<{ Params: IdT, Body: Static<typeof ComputerOrPhoneForm> }>('/data/:id/retry', bankForm, toTheBank({ retry: true }))

  // "Try another bank" (configuration 1): back to the picker of the same connection. From the page with the token
  // only (the picker is that page); the held page on a handed-off phone sends the user to the computer for it.
  app.post<{ Params: IdT, Body: Static<typeof ComputerOrPhoneForm> }>('/data/:id/another-bank', {
    config: { html: true },
    schema: { params: Id, body: ComputerOrPhoneForm },
  }, async (request, reply) => {
    const { id } = request.params
    const { connection: c, now } = await loadFromComputerOrPhone(request, id)
    if (!request.body.token) throw new JourneyPageError('state', c.hostedPage?.language_code)
    await tryAnotherBank(deps, c, now)
    return reply.redirect(tokenPage(id, request.body.token), 303)
  })

  // "Cancel and return to {client}" from any page before the bank, on the computer (token) or the handed-off phone
  // (cookie). The connection fails as a decline would, and the user goes straight back to the client with `error=`
  // (or to the result page when the client has no return URI for it). From a failed bank attempt the journey holds
  // ("Return to {client}", or a cancel form of an older page) the failure becomes final with the bank's reason.
  app.post<{ Params: IdT, Body: Static<typeof ComputerOrPhoneForm> }>('/data/:id/cancel', {
    config: { html: true },
    schema: { params: Id, body: ComputerOrPhoneForm },
  }, async (request, reply) => {
    const { id } = request.params
    const body = request.body
    const { connection: c, now } = await loadFromComputerOrPhone(request, id)
    if (isHeld(c)) await giveUpAfterBankFailure(deps, c, now)
    else await cancelJourney(deps, c, now)
    const after = await loadConnection(deps, id)
    if (!isFinal(after.status)) return reply.redirect(body.token ? tokenPage(id, body.token) : `${pagePath(id)}/phone`, 303)
    const back = continueUri(after, await clientOf(deps, after))
    return reply.redirect(back ?? resultPath(deps, id, now), 303)
  })

  // ---- desktop → mobile hand-off ----------------------------------------------------------------------------
  // The QR code's one-time link. Opening it claims it (once) and gives this phone its own credential, a cookie
  // scoped to this connection's pages, so a reload of the phone's page still works while the link is spent.
  app.get<{ Params: IdT, Querystring: Static<typeof HandoffQuery> }>('/data/:id/handoff', {
    config: { html: true },
    schema: { params: Id, querystring: HandoffQuery },
  }, async (request, reply) => {
    const { id } = request.params
    const { h } = request.query
    const { connection: c, session, now } = await loadBySignedLink(deps, id, 'handoff', h)
    const lang = c.hostedPage?.language_code
    const expires = linkExpiry(h!)!.toISOString()
    if (!session || session.handoff_expires_at !== expires) throw new JourneyPageError('used', lang)
    if (c.status !== 'authorization_required') throw new JourneyPageError('used', lang)
    await assertJourneyOpen(deps, c, now)
    const phoneToken = ids.token()
    if (!(await claimHandoff(deps.db, id, expires, sha256(phoneToken), now))) throw new JourneyPageError('used', lang)
    const maxAge = c.journeyExpiresAt ? Math.max(60, Math.floor((Date.parse(c.journeyExpiresAt) - now.getTime()) / 1000)) : 3600
    browser.setCookie(reply, PHONE_COOKIE, phoneToken, { path: pagePath(id), maxAgeSeconds: maxAge })
    return reply.redirect(`${pagePath(id)}/phone`, 303)
  })

  app.get<{ Params: IdT }>('/data/:id/phone', { config: { html: true }, schema: { params: Id } }, async (request, reply) => {
    const { id } = request.params
    const { connection: c, session, now } = await loadByPhone(deps, id, browser.readCookie(request, PHONE_COOKIE))
    if (isFinal(c.status)) return reply.redirect(resultPath(deps, id, now), 303)
    if (isHeld(c)) return heldPage(request, reply, c, session, { phone: true })
    const providerId = chosenProviderId(c, session)
    const { client, brand } = await clientAndBrand(c)
    if (!providerId) {
      // "Try another bank" was pressed on the computer after this phone's attempt failed: the choice is made there,
      // and this page follows (the computer's hand-off page then names the new bank, and this page offers it).
      const base = pageBase(request, c, brand, 'held.choosing_title')
      return html(reply, renderPage('waiting', {
        ...base, live: { statusUri: statusPath(deps, id, now), state: liveState(c, session, now) },
        heading: base.t('held.choosing_title'), body: base.t('held.choosing_body'), refreshHref: `${pagePath(id)}/phone`,
      }))
    }
    if (c.status === 'authorizing') {
      const base = pageBase(request, c, brand, 'waiting.title')
      return html(reply, renderPage('waiting', {
        ...base, live: { statusUri: statusPath(deps, id, now), state: liveState(c, session, now) },
        provider: providerView(c.providerId ?? providerId, base.lang), refreshHref: `${pagePath(id)}/phone`,
      }))
    }
    const base = pageBase(request, c, brand, 'continue.title', { provider: providerView(providerId, 'en').name })
    return html(reply, renderPage('continue', {
      ...base, csrf: csrfField(request, reply), clientName: brand.name,
      provider: providerView(providerId, base.lang), formAction: `${pagePath(id)}/bank`,
      cancel: cancelOf(reply, id, c, client, brand, base.t),
    }))
  })

  // The desktop page's live update (journey.js polls this). An extension of the hosted pages, not of the API.
  app.get<{ Params: IdT, Querystring: Static<typeof SignedLinkQuery> }>('/data/:id/status', { schema: { params: Id, querystring: SignedLinkQuery } }, async (request, reply) => {
    const { id } = request.params
    const { l } = request.query
    const { connection: c, session, now } = await loadBySignedLink(deps, id, 'status', l).catch((err: unknown) => {
      if (err instanceof JourneyPageError) throw new ApiError('NOT_FOUND', 'No journey for this link, or the link has expired.')
      throw err
    })
    return reply.send({
      status: c.status,
      state: liveState(c, session, now),
      result_uri: isFinal(c.status) ? resultPath(deps, id, now) : null,
    })
  })

  // ---- result ---------------------------------------------------------------------------------------------
  app.get<{ Params: IdT, Querystring: Static<typeof SignedLinkQuery> }>('/data/:id/result', {
    config: { html: true },
    schema: { params: Id, querystring: SignedLinkQuery },
  }, async (request, reply) => {
    const { id } = request.params
    const { l } = request.query
    const { connection: c, session, now } = await loadBySignedLink(deps, id, 'result', l)
    const phoneCookie = browser.readCookie(request, PHONE_COOKIE)
    const onPhone = Boolean(phoneCookie && session?.mobile_token_hash && session.mobile_token_hash === sha256(phoneCookie))
    if (isHeld(c)) {
      // Back from the bank with a failure the journey holds: to the page with this browser's credential, whose
      // forms can act (and which a reload or Back shows again as long as the failure is held).
      const token = browser.readCookie(request, JOURNEY_COOKIE)
      if (token && session && sha256(token) === session.token_hash) return reply.redirect(tokenPage(id, token), 303)
      if (onPhone) return reply.redirect(`${pagePath(id)}/phone`, 303)
      return heldPage(request, reply, c, session, {})
    }
    const { client, brand } = await clientAndBrand(c)
    const providerId = c.providerId ?? chosenProviderId(c, session)
    if (!isFinal(c.status)) {
      // Reached early (another device is still at the bank): wait here and follow.
      const base = pageBase(request, c, brand, 'waiting.title')
      return html(reply, renderPage('waiting', {
        ...base, live: { statusUri: statusPath(deps, id, now), state: liveState(c, session, now) },
        provider: providerId ? providerView(providerId, base.lang) : undefined,
        refreshHref: `${pagePath(id)}/result?l=${encodeURIComponent(l!)}`,
      }))
    }
    // Declining (or cancelling) is the user's choice, not a failure: a neutral page, not a red error.
    // The handed-off phone that finished: the journey goes on on the computer, which shows the result too.
    const outcome = c.status === 'authorized' ? 'success' : c.status === 'failed' ? (c.failureReason === 'user_declined_consent' ? 'declined' : 'failure') : 'inactive'
    const base = pageBase(request, c, brand, `result.${outcome === 'success' ? 'success' : outcome === 'failure' ? 'failure' : outcome === 'declined' ? 'declined' : 'inactive'}_title`)
    const reason = c.failureReason ?? 'other'
    const reasonKey = isMessageKey(`reason.${reason}`) ? `reason.${reason}` as MessageKey : 'reason.other'
    return html(reply, renderPage('result', {
      ...base,
      outcome,
      clientName: brand.name,
      providerName: providerId ? providerView(providerId, base.lang).name : '',
      accounts: c.accountIds.length,
      accountsText: accountsShared(base.t, base.lang, c.accountIds.length),
      failureReason: reason,
      reasonText: base.t(reasonKey),
      continueHref: onPhone ? undefined : continueUri(c, client),
      onPhone,
    }))
  })
}

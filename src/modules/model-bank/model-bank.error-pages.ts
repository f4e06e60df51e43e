import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { ApiError } from '../../contract/errors.ts'
import { FormRefusedError, readCookie } from '../../http/browser-security.ts'
import { TRACE_HEADER } from '../../http/trace-id.ts'
import type { Database } from '../../storage/database.ts'
import { findProvider } from '../providers/provider.catalog.ts'
import { type BankProblem, brandOf, fieldsOf, languageOf, renderError, unknownBank } from './model-bank.pages.ts'
import { type BankConsentRow, CONSENT_STATUS, findConsent } from './model-bank.repository.ts'
import { hashSecret, SESSION_COOKIE } from './model-bank.security.ts'

function problemOf (err: FastifyError, status: number, request: FastifyRequest, consent: BankConsentRow | undefined, now: Date): BankProblem {
  if (status === 404) return 'not_found'
  if (!(err instanceof ApiError) || err instanceof FormRefusedError) return 'form'
  switch (err.code) {
    case 'INVALID_STATE':
      return consent?.status === CONSENT_STATUS.awaiting && consent.authorize_by <= now.toISOString() ? 'expired' : 'completed'
    case 'FORBIDDEN': {
      // This browser's session is not the consent's any more (another browser took over, cookies blocked), or the
      // session is right and only the form's token is not.
      const cookie = readCookie(request, SESSION_COOKIE)
      return cookie && consent?.session_hash === hashSecret(cookie) ? 'form' : 'session'
    }
    case 'INVALID_PARAMETERS':
      return err.errors && Object.hasOwn(err.errors, 'consent_id') ? 'incomplete' : 'form'
    default:
      return 'form'
  }
}

/**
 * The bank's browser pages answer their refusals (an unknown or finished request, an ended session, a stale form)
 * with the bank's own error page, in the page's language: what happened and what to do, never the API's problem
 * title ("Invalid State"). The language and the bank's look come from the request's provider and consent when
 * they are known. Server errors and the API routes go on to the app's handler (a 503 keeps its Retry-After).
 */
export function registerBankErrorPages (app: FastifyInstance, db: Kysely<Database>, now: () => Date): void {
  // It serves every bank route, so a `provider_id` param is there only on the provider's own pages.
  app.setErrorHandler<FastifyError, { Params: { provider_id?: unknown } | undefined }>(async (err, request, reply) => {
    if (!request.routeOptions.config?.html) throw err
    const status = err instanceof ApiError ? err.status : err.statusCode
    if (status === undefined || status < 400 || status >= 500) throw err

    const fields = fieldsOf(request)
    const providerId = request.params?.provider_id
    const provider = typeof providerId === 'string' ? findProvider(providerId) : undefined
    const consentId = typeof fields.consent_id === 'string' && fields.consent_id.length <= 100 ? fields.consent_id : undefined
    // Only for the page's language and wording: a consent that cannot be read leaves the defaults.
    const consent = provider && consentId ? await findConsent(db, provider.provider_id, consentId).catch(() => undefined) : undefined
    const language = languageOf(request, consent?.language_code)

    request.log.info({ status, code: err.code }, 'request refused')
    reply.header(TRACE_HEADER, request.id)
    if (err instanceof ApiError && err.headers) reply.headers(err.headers)
    return renderError(reply, status, {
      language,
      bank: provider ? brandOf(provider) : unknownBank(language),
      problem: problemOf(err, status, request, consent, now()),
      traceId: request.id,
    })
  })
}

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ApiError, invalidParameters } from '../contract/errors.ts'
import { PROBLEM_CONTENT_TYPE, toProblem } from '../contract/problem.ts'
import { faultDetail, type StorageFault, storageFault } from '../storage/health.ts'
import { htmlErrorPage } from './html-error-page.ts'
import { unsupportedMediaType } from './require-json.ts'
import { TRACE_HEADER } from './trace-id.ts'
import { formatValidationErrors, type HintFn, validationLead } from './validation.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Browser-facing route: errors render as an HTML page rather than problem+json. */
    html?: boolean
    /** Teaching hints for this route's validation errors. */
    hints?: HintFn
    /** OAuth route (the token endpoint): every refusal renders in OAuth's `{error, error_description}` shape. */
    oauth?: boolean
  }
}

/** Turns any thrown error into the ApiError the client sees. Only ApiErrors' messages reach the wire. */
function toApiError (err: FastifyError & { body?: unknown }, request: FastifyRequest): ApiError {
  if (err instanceof ApiError) return err
  if (err.validation) {
    const context = err.validationContext ?? 'body'
    const data = context === 'body' ? request.body : undefined
    const errors = formatValidationErrors(err.validation as never, context, data, request.routeOptions.config?.hints)
    return invalidParameters(errors, validationLead(context))
  }
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType(request.headers['content-type'])
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE', undefined, { errors: { body: ['is larger than the 64 KiB allowed'] } })
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return invalidParameters({ body: ['must not be empty when Content-Type is application/json'] })
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return invalidParameters({ body: ['Content-Length does not match the body sent'] })
  }
  if (err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    // JSON.parse says where it stopped ("… at position 87"); pass that on, it is the fix.
    return invalidParameters({ body: [`is not valid JSON: ${err.message}`] })
  }
  if (err.statusCode === 400 && /prototype|constructor/i.test(err.message)) {
    return invalidParameters({ body: ['must not contain __proto__ or constructor.prototype keys'] })
  }
  if (err.statusCode === 405) return new ApiError('METHOD_NOT_ALLOWED')
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    return invalidParameters({ request: [err.message] }, 'The request was invalid.')
  }
  const fault = storageFault(err)
  if (fault) return unavailable(fault)
  return new ApiError('UNKNOWN_ERROR')
}

/**
 * A thrown error as the OAuth refusal of an OAuth route: bodies it cannot read are `invalid_request` (413 kept
 * for a body too large), storage away is `temporarily_unavailable` with Retry-After, anything else a 500.
 */
function toOAuthError (err: FastifyError, request: FastifyRequest): ApiError {
  if (err instanceof ApiError && 'error' in err.spec) return err
  const fault = storageFault(err)
  if (fault) {
    request.log.warn({ err: { code: err.code, message: err.message } }, 'storage unavailable')
    return new ApiError('OAUTH_TEMPORARILY_UNAVAILABLE', faultDetail(fault), { headers: { 'retry-after': String(fault.retryAfterSeconds) } })
  }
  if (err.statusCode === 413) return new ApiError('OAUTH_BODY_TOO_LARGE')
  if (err.statusCode && err.statusCode < 500) {
    return err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
      ? new ApiError('OAUTH_INVALID_REQUEST', 'Send the body as application/x-www-form-urlencoded (or application/json).')
      : new ApiError('OAUTH_INVALID_REQUEST')
  }
  request.log.error({ err }, 'token endpoint failed')
  return new ApiError('OAUTH_SERVER_ERROR')
}

/** The database or Redis cannot serve right now (see storage/health.ts): 503 with Retry-After, never a 500. */
function unavailable (fault: StorageFault): ApiError {
  return new ApiError('SERVICE_UNAVAILABLE', faultDetail(fault), { headers: { 'Retry-After': String(fault.retryAfterSeconds) } })
}

export function sendError (request: FastifyRequest, reply: FastifyReply, apiError: ApiError) {
  // Errors raised before routing (bad URL) skip the onRequest hook; the trace header is set here as well.
  reply.header(TRACE_HEADER, request.id)
  if (apiError.headers) reply.headers(apiError.headers)
  reply.code(apiError.status)
  const spec = apiError.spec
  // The error's kind picks the shape: OAuth entries answer as OAuth does (never cached, RFC 6749 §5.1).
  if ('error' in spec) return reply.header('cache-control', 'no-store').send({ error: spec.error, error_description: apiError.message })
  if (request.routeOptions.config?.html) {
    return reply.type('text/html; charset=utf-8').send(htmlErrorPage(apiError.status, spec.title, apiError.message, request.id))
  }
  return reply.type(PROBLEM_CONTENT_TYPE).send(toProblem(apiError, spec, request.id))
}

/** The one place errors become HTTP responses. 5xx details are logged, never sent. */
export function registerErrorHandling (app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (request.routeOptions.config?.oauth) {
      const oauthError = toOAuthError(err, request)
      request.log.info({ status: oauthError.status, code: oauthError.code }, 'request refused')
      return sendError(request, reply, oauthError)
    }
    const apiError = toApiError(err, request)
    if (apiError.spec.status === 503 && !(err instanceof ApiError)) request.log.warn({ err: { code: (err as { code?: unknown }).code, message: err.message } }, 'storage unavailable')
    else if (apiError.status >= 500 && !(err instanceof ApiError)) request.log.error({ err }, 'unhandled error')
    else request.log.info({ status: apiError.status, code: apiError.code }, 'request refused')
    return sendError(request, reply, apiError)
  })
  app.setNotFoundHandler((request, reply) => {
    return sendError(request, reply, new ApiError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}.`))
  })
}

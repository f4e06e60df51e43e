/**
 * The one catalogue of errors Ledgerite answers with. Each entry fixes the wire `type`, `title` and status,
 * exactly as the Data API v3 error table publishes them (docs "Data v3 errors" and the OpenAPI ProblemDetails*
 * schemas). Call sites add only the `detail` and, for Invalid Parameters, the `errors` map.
 * Every `type` is one of the nine the contract publishes (PUBLISHED_TYPES): statuses the contract has no type for
 * (405, 413, 415, 501, 503, and 502 Feature Not Supported) carry the closest published type, with that type's
 * title, and say precisely what happened in `detail` (behaviour notes, "Problem types").
 * Wire values — do not rename.
 */
const BASE = 'https://docs.truelayer.com/docs/error-types'

export const Errors = {
  INVALID_PARAMETERS: { status: 400, type: `${BASE}#invalid-parameters`, title: 'Invalid Parameters', detail: 'The request body was invalid.' },
  // The published type uses an underscore here, unlike its siblings.
  INVALID_STATE: { status: 400, type: `${BASE}#invalid_state`, title: 'Invalid State', detail: 'Status of the connection does not allow this action to be executed.' },
  UNAUTHENTICATED: { status: 401, type: `${BASE}#unauthenticated`, title: 'Unauthenticated', detail: 'A Bearer token must be provided in the Authorization header.' },
  FORBIDDEN: { status: 403, type: `${BASE}#forbidden`, title: 'Forbidden', detail: 'The token used for Authorization is not authorized to perform the request.' },
  NOT_FOUND: { status: 404, type: `${BASE}#not-found`, title: 'Not Found', detail: 'Resource could not be found.' },
  // No published type: the operation is not there for this method, the nearest of "Not Found".
  METHOD_NOT_ALLOWED: { status: 405, type: `${BASE}#not-found`, title: 'Not Found', detail: 'The method is not allowed on this resource.' },
  // No published type: the body is what is wrong, so Invalid Parameters (with `errors` naming `body` or the header).
  PAYLOAD_TOO_LARGE: { status: 413, type: `${BASE}#invalid-parameters`, title: 'Invalid Parameters', detail: 'The request body is larger than the 64 KiB allowed.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, type: `${BASE}#invalid-parameters`, title: 'Invalid Parameters', detail: 'The request body must be sent as application/json.' },
  RATE_LIMIT_EXCEEDED: { status: 429, type: `${BASE}#rate-limit-exceeded`, title: 'Rate Limit Exceeded', detail: 'Too many API requests have been received within the allowed time frame.' },
  UNKNOWN_ERROR: { status: 500, type: `${BASE}#unknown-error`, title: 'Unknown Error', detail: 'An error occurred. Please contact customer support.' },
  // No published type: what is asked for does not exist on this server, the nearest of "Not Found".
  NOT_IMPLEMENTED: { status: 501, type: `${BASE}#not-found`, title: 'Not Found', detail: 'This feature is not implemented by this server yet.' },
  PROVIDER_ERROR: { status: 502, type: `${BASE}#provider-error`, title: 'Provider Error', detail: 'Provider is temporarily unavailable, please retry.' },
  // The real service documents "Feature Not Supported" (502) without a type URI: the published 502 type and title.
  FEATURE_NOT_SUPPORTED: { status: 502, type: `${BASE}#provider-error`, title: 'Provider Error', detail: "The provider doesn't support this endpoint or feature." },
  // No published type for 503 (v1 lists `temporarily_unavailable`): Ledgerite's own fault, the nearest of "Unknown
  // Error". Sent with Retry-After when the database or Redis cannot be reached, or the SQLite file is locked elsewhere.
  SERVICE_UNAVAILABLE: { status: 503, type: `${BASE}#unknown-error`, title: 'Unknown Error', detail: 'The service is temporarily unavailable; retry after the number of seconds in Retry-After.' },
  GATEWAY_TIMEOUT: { status: 504, type: `${BASE}#gateway-timeout`, title: 'Gateway Timeout', detail: 'The request timed out waiting for a response from the provider.' },
} as const

/** The problem types the contract publishes (the OpenAPI's ProblemDetails* schemas and the docs' error table). */
export const PUBLISHED_TYPES: ReadonlySet<string> = new Set(
  ['invalid-parameters', 'invalid_state', 'unauthenticated', 'forbidden', 'not-found', 'rate-limit-exceeded', 'unknown-error', 'provider-error', 'gateway-timeout']
    .map((anchor) => `${BASE}#${anchor}`),
)

/**
 * The token endpoint's refusals, in OAuth's shape (RFC 6749 §5.2: `{error, error_description}`, Cache-Control:
 * no-store) rather than problem+json: what OAuth clients parse. Same catalogue, same ApiError; the error handler
 * picks the shape by the entry's kind. Wire values — do not rename.
 */
export const OAuthErrors = {
  OAUTH_INVALID_REQUEST: { kind: 'oauth', status: 400, error: 'invalid_request', detail: 'The request body could not be read; send form fields grant_type, client_id, client_secret and scope.' },
  OAUTH_BODY_TOO_LARGE: { kind: 'oauth', status: 413, error: 'invalid_request', detail: 'The request body is too large.' },
  OAUTH_INVALID_CLIENT: { kind: 'oauth', status: 401, error: 'invalid_client', detail: 'The client credentials you have entered are incorrect.' },
  OAUTH_UNSUPPORTED_GRANT_TYPE: { kind: 'oauth', status: 400, error: 'unsupported_grant_type', detail: 'grant_type is not supported; use client_credentials.' },
  OAUTH_INVALID_SCOPE: { kind: 'oauth', status: 400, error: 'invalid_scope', detail: 'scope is required; request "data" for the Data API.' },
  OAUTH_SLOW_DOWN: { kind: 'oauth', status: 429, error: 'slow_down', detail: 'Too many failed attempts for this client or from this address.' },
  // Not RFC 6749's `server_error`: the wire value clients of this server have always seen.
  OAUTH_SERVER_ERROR: { kind: 'oauth', status: 500, error: 'internal_server_error', detail: 'The token could not be issued.' },
  // The database or Redis away: "try again shortly" in OAuth's words, with the same Retry-After as the API's 503.
  OAUTH_TEMPORARILY_UNAVAILABLE: { kind: 'oauth', status: 503, error: 'temporarily_unavailable', detail: 'The service is temporarily unavailable.' },
} as const

export type ProblemCode = keyof typeof Errors
export type OAuthCode = keyof typeof OAuthErrors
/** Every catalogue key: what `ApiError.code` holds, and what callers match on (never the title). */
export type ErrorCode = ProblemCode | OAuthCode
export type ProblemSpec = (typeof Errors)[ProblemCode]
export type OAuthSpec = (typeof OAuthErrors)[OAuthCode]
export type ErrorSpec = ProblemSpec | OAuthSpec

function specOf (code: ErrorCode): ErrorSpec {
  return Object.hasOwn(OAuthErrors, code) ? OAuthErrors[code as OAuthCode] : Errors[code as ProblemCode]
}

/** Field path → messages, as the `errors` member of an Invalid Parameters problem. */
export type FieldErrors = Record<string, string[]>

/**
 * The error every layer throws. The HTTP error handler is the only place that turns it into a response.
 * `headers` carries extra response headers (Retry-After, RateLimit-*).
 */
export class ApiError extends Error {
  /** The catalogue key it was made from: stable, so callers match on it rather than on a title. */
  readonly code: ErrorCode
  readonly spec: ErrorSpec
  readonly errors: FieldErrors | undefined
  readonly headers: Record<string, string> | undefined

  constructor (code: ErrorCode, detail?: string, options: { errors?: FieldErrors, headers?: Record<string, string> } = {}) {
    const spec = specOf(code)
    super(detail ?? spec.detail)
    this.name = 'ApiError'
    this.code = code
    this.spec = spec
    this.errors = options.errors
    this.headers = options.headers
  }

  get status (): number { return this.spec.status }
  /** The problem's title, or the OAuth error code: what a page or a log line names the refusal by. */
  get title (): string { return 'error' in this.spec ? this.spec.error : this.spec.title }
  /** Fastify's name for the status, so route-level error handlers read it like any framework error. */
  get statusCode (): number { return this.spec.status }
}

/**
 * `lead` ("The request body was invalid.") and every field at fault, in one sentence — many clients log only
 * `detail`: "The request body was invalid: scopes[0] must be one of: …; user.name is required."
 */
export function describeInvalid (lead: string, errors: FieldErrors): string {
  const parts = Object.entries(errors).map(([field, messages]) => `${field} ${messages.map((m) => m.replace(/\.$/, '')).join(', and ')}`)
  if (parts.length === 0) return lead
  const sentence = `${lead.replace(/\.$/, '')}: ${parts.join('; ')}`
  return /[?!]$/.test(sentence) ? sentence : `${sentence}.`
}

/**
 * Invalid Parameters naming every field at fault: `errors` keyed by field, parameter or header name, and a
 * `detail` of `lead` followed by those fields (describeInvalid), then `after` (a list of options, say).
 */
export function invalidParameters (errors: FieldErrors, lead = 'The request body was invalid.', after?: string): ApiError {
  const detail = describeInvalid(lead, errors)
  return new ApiError('INVALID_PARAMETERS', after ? `${detail} ${after}` : detail, { errors })
}

/** Invalid Parameters for a single field; `detail`, when given, replaces the whole sentence (a page's wording). */
export function invalidField (field: string, message: string, detail?: string): ApiError {
  return detail === undefined ? invalidParameters({ [field]: [message] }) : new ApiError('INVALID_PARAMETERS', detail, { errors: { [field]: [message] } })
}

/**
 * Adds a message under a field path. Paths come from client input (`metadata.valueOf`, `constructor`…), so the
 * map is only ever read through own properties and written as a plain data property.
 */
export function addFieldError (errors: FieldErrors, field: string, message: string): void {
  if (!Object.hasOwn(errors, field)) {
    Object.defineProperty(errors, field, { value: [], enumerable: true, writable: true, configurable: true })
  }
  const list = errors[field]!
  if (!list.includes(message)) list.push(message)
}

/** Collects field problems so a request is refused once, with every problem listed. */
export class FieldErrorCollector {
  readonly errors: FieldErrors = {}
  add (field: string, message: string): void {
    addFieldError(this.errors, field, message)
  }
  get empty (): boolean { return Object.keys(this.errors).length === 0 }
  /** `lead` says which part was invalid; the fields follow it in `detail`, then `after`. */
  throwIfAny (lead = 'The request body was invalid.', after?: string): void {
    if (!this.empty) throw invalidParameters(this.errors, lead, after)
  }
}

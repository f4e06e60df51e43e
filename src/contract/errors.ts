/**
 * The one catalogue of errors Ledgerite answers with. Each entry fixes the wire `type`, `title` and status,
 * exactly as the Data API v3 error table publishes them (docs "Data v3 errors" and the OpenAPI ProblemDetails*
 * schemas). Call sites add only the `detail` and, for Invalid Parameters, the `errors` map.
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
  METHOD_NOT_ALLOWED: { status: 405, type: `${BASE}#method-not-allowed`, title: 'Method Not Allowed', detail: 'The method is not allowed on this resource.' },
  PAYLOAD_TOO_LARGE: { status: 413, type: `${BASE}#payload-too-large`, title: 'Payload Too Large', detail: 'The request body is larger than the 64 KiB allowed.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, type: `${BASE}#unsupported-media-type`, title: 'Unsupported Media Type', detail: 'The request body must be sent as application/json.' },
  RATE_LIMIT_EXCEEDED: { status: 429, type: `${BASE}#rate-limit-exceeded`, title: 'Rate Limit Exceeded', detail: 'Too many API requests have been received within the allowed time frame.' },
  UNKNOWN_ERROR: { status: 500, type: `${BASE}#unknown-error`, title: 'Unknown Error', detail: 'An error occurred. Please contact customer support.' },
  NOT_IMPLEMENTED: { status: 501, type: `${BASE}#not-implemented`, title: 'Not Implemented', detail: 'This feature is not implemented by this server yet.' },
  PROVIDER_ERROR: { status: 502, type: `${BASE}#provider-error`, title: 'Provider Error', detail: 'Provider is temporarily unavailable, please retry.' },
  // The real service documents this title without a published type URI; the anchor follows its siblings.
  FEATURE_NOT_SUPPORTED: { status: 502, type: `${BASE}#feature-not-supported`, title: 'Feature Not Supported', detail: "The provider doesn't support this endpoint or feature." },
  // No published type for 503 (v1 lists `temporarily_unavailable`): Ledgerite's own fault, the nearest of "Unknown
  // Error". Sent with Retry-After when the database or Redis cannot be reached, or the SQLite file is locked elsewhere.
  SERVICE_UNAVAILABLE: { status: 503, type: `${BASE}#unknown-error`, title: 'Unknown Error', detail: 'The service is temporarily unavailable; retry after the number of seconds in Retry-After.' },
  GATEWAY_TIMEOUT: { status: 504, type: `${BASE}#gateway-timeout`, title: 'Gateway Timeout', detail: 'The request timed out waiting for a response from the provider.' },
} as const

export type ErrorCode = keyof typeof Errors
export type ErrorSpec = (typeof Errors)[ErrorCode]

/** Field path → messages, as the `errors` member of an Invalid Parameters problem. */
export type FieldErrors = Record<string, string[]>

/**
 * The error every layer throws. The HTTP error handler is the only place that turns it into a response.
 * `headers` carries extra response headers (Retry-After, RateLimit-*).
 */
export class ApiError extends Error {
  readonly spec: ErrorSpec
  readonly errors: FieldErrors | undefined
  readonly headers: Record<string, string> | undefined

  constructor (code: ErrorCode, detail?: string, options: { errors?: FieldErrors, headers?: Record<string, string> } = {}) {
    const spec = Errors[code]
    super(detail ?? spec.detail)
    this.name = 'ApiError'
    this.spec = spec
    this.errors = options.errors
    this.headers = options.headers
  }

  get status (): number { return this.spec.status }
  /** Fastify's name for the status, so route-level error handlers read it like any framework error. */
  get statusCode (): number { return this.spec.status }
}

/** Invalid Parameters naming every field at fault. */
export function invalidParameters (errors: FieldErrors, detail = 'The request body was invalid.'): ApiError {
  return new ApiError('INVALID_PARAMETERS', detail, { errors })
}

/** Invalid Parameters for a single field. */
export function invalidField (field: string, message: string, detail?: string): ApiError {
  return invalidParameters({ [field]: [message] }, detail ?? `${field}: ${message}`)
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
  throwIfAny (detail = 'The request body was invalid.'): void {
    if (!this.empty) throw invalidParameters(this.errors, detail)
  }
}

import { extractJku, type HttpMethod, verify } from 'truelayer-signing'
import type { Jwks, WebhookEvent } from './types.ts'

/** Why a webhook was not accepted. `cause` holds truelayer-signing's SignatureError when the signature is at fault. */
export class WebhookVerificationError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'WebhookVerificationError'
  }
}

export type HeadersLike = Headers | Record<string, string | string[] | undefined>

export interface VerifyWebhookInput {
  /** The request's headers as received (any casing). */
  headers: HeadersLike
  /** The raw body, exactly as received: verify before parsing. */
  body: string
  /** The path the webhook was posted to (without the query string), e.g. `/hooks/ledgerite`. */
  path: string
  /** The key set at the signature's `jku` (Ledgerite's `/.well-known/jwks`), as JSON text or parsed. */
  jwks: string | Jwks
  /** `jku` values you accept; when given, any other is refused before the key set is used. */
  allowedJkus?: string[]
  /** Refuse deliveries whose `X-Tl-Webhook-Timestamp` is further than this from `now` (replay protection). */
  maxAgeSeconds?: number
  now?: Date
}

function headerMap (headers: HeadersLike): Record<string, string> {
  const out: Record<string, string> = {}
  if (typeof (headers as Headers).forEach === 'function' && typeof (headers as Headers).get === 'function') {
    (headers as Headers).forEach((value, name) => { out[name.toLowerCase()] = value })
    return out
  }
  for (const [name, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

/**
 * Verifies a webhook from Ledgerite the way a TrueLayer webhook is verified — truelayer-signing's `verify`
 * (ES512, detached JWS, `tl_version` 2, `X-Tl-Webhook-Timestamp` required among the signed headers) — and returns
 * the parsed event. Throws WebhookVerificationError when anything is off.
 */
export function verifyWebhook (input: VerifyWebhookInput): WebhookEvent {
  const headers = headerMap(input.headers)
  const signature = headers['tl-signature']
  if (!signature) throw new WebhookVerificationError('The Tl-Signature header is missing.')
  const timestamp = headers['x-tl-webhook-timestamp']
  if (!timestamp) throw new WebhookVerificationError('The X-Tl-Webhook-Timestamp header is missing.')
  if (input.allowedJkus) {
    let jku: string | undefined
    try {
      jku = extractJku(signature)
    } catch (err) {
      throw new WebhookVerificationError('The Tl-Signature header is not a JWS.', { cause: err })
    }
    if (!jku || !input.allowedJkus.includes(jku)) throw new WebhookVerificationError(`The signature's jku (${jku ?? 'none'}) is not an allowed key set.`)
  }
  try {
    verify({
      jwks: typeof input.jwks === 'string' ? input.jwks : JSON.stringify(input.jwks),
      signature,
      method: 'POST' as HttpMethod,
      path: input.path,
      body: input.body,
      headers,
      requiredHeaders: ['X-Tl-Webhook-Timestamp'],
    })
  } catch (err) {
    throw new WebhookVerificationError(`The webhook signature is not valid: ${(err as Error).message}`, { cause: err })
  }
  if (input.maxAgeSeconds !== undefined) {
    const at = Date.parse(timestamp)
    const now = (input.now ?? new Date()).getTime()
    if (Number.isNaN(at) || Math.abs(now - at) > input.maxAgeSeconds * 1000) {
      throw new WebhookVerificationError(`The webhook timestamp ${timestamp} is more than ${input.maxAgeSeconds} s from now.`)
    }
  }
  try {
    return JSON.parse(input.body) as WebhookEvent
  } catch (err) {
    throw new WebhookVerificationError('The webhook body is not JSON.', { cause: err })
  }
}

import { createPrivateKey, type KeyObject, sign as ecdsaSign } from 'node:crypto'
import { type HttpMethod, sign } from 'truelayer-signing'

/** The signed header every delivery carries, spelled as the signature's `tl_headers` names it. */
export const WEBHOOK_TIMESTAMP_HEADER = 'X-Tl-Webhook-Timestamp'
/** Where the webhook key set is served; the signature's `jku` points here. */
export const WEBHOOK_JWKS_PATH = '/.well-known/jwks'

export interface WebhookSigningKey {
  kid: string
  /** PKCS#8 PEM of the P-521 private key. */
  privateKeyPem: string
  /** The key set URL receivers fetch (and allow-list); omitted only to compare with the library's own output. */
  jku?: string
}

/** RFC 3339 at second precision, UTC: `2026-03-11T14:00:33Z` (the form of the real service's webhook timestamps). */
export function webhookTimestamp (at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** The delivery's path as signed: the webhook URI's path, without its query (what receivers see as `req.path`). */
export function signedPath (webhookUri: string): string {
  return new URL(webhookUri).pathname || '/'
}

const keyObjects = new Map<string, KeyObject>()
function keyObject (pem: string): KeyObject {
  let k = keyObjects.get(pem)
  if (!k) keyObjects.set(pem, (k = createPrivateKey(pem)))
  return k
}

/**
 * The `Tl-Signature` of a webhook delivery: a detached JWS (ES512, `tl_version` 2) over
 * `POST {path}\nX-Tl-Webhook-Timestamp: {timestamp}\n{body}`, made by truelayer-signing's `sign()`.
 * This is the only webhook signer.
 *
 * Webhook signatures also carry `jku` in their JOSE header, which `sign()` (0.2.3) has no argument for: its header
 * is fixed to alg, kid, tl_version and tl_headers. So the signer takes the library's KMS route (`signingFunction`):
 * the library builds the header and the signing payload; we add `jku` to that header, sign header + payload with
 * the P-521 key (JWS's raw r‖s form), and put the extended header in front of the library's detached result.
 * truelayer-signing's `verify()` checks the outcome like any TrueLayer webhook (tests do, for every delivery).
 */
export async function signWebhook (
  key: WebhookSigningKey,
  request: { path: string, timestamp: string, body: string },
): Promise<string> {
  let header = ''
  const detached = await sign({
    kid: key.kid,
    method: 'POST' as HttpMethod,
    path: request.path,
    headers: { [WEBHOOK_TIMESTAMP_HEADER]: request.timestamp },
    body: request.body,
    signingFunction: async (message: string) => {
      const [libraryHeader, payload] = message.split('.') as [string, string]
      header = key.jku === undefined
        ? libraryHeader
        : Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(libraryHeader, 'base64url').toString('utf8')), jku: key.jku })).toString('base64url')
      return ecdsaSign('sha512', Buffer.from(`${header}.${payload}`), { key: keyObject(key.privateKeyPem), dsaEncoding: 'ieee-p1363' })
        .toString('base64url')
    },
  })
  const signature = detached.split('.')[2]
  return `${header}..${signature}`
}

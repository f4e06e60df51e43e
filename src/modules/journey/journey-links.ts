import { signer } from '../../http/signer.ts'

/**
 * Signed, expiring, single-purpose links for the browser side of the journey (result page, QR hand-off, …):
 * `<connectionId>.<expiry>.<purpose>` signed with the server secret. The connection id alone never drives
 * the journey: every browser URL carries either the hosted-page token (stored hashed on the connection) or one
 * of these signatures.
 */
export function signLink (secret: Buffer, purpose: string, connectionId: string, expiresAt: Date): string {
  const exp = Math.floor(expiresAt.getTime() / 1000).toString(36)
  return `${exp}.${signer(secret, purpose).sign(connectionId, exp)}`
}

/** True when `link` was made by signLink for this purpose and connection and has not expired at `now`. */
export function verifyLink (secret: Buffer, purpose: string, connectionId: string, link: string, now: Date): boolean {
  const [exp, mac] = link.split('.')
  if (!exp || !mac) return false
  if (!signer(secret, purpose).verify(mac, connectionId, exp)) return false
  return Number.parseInt(exp, 36) * 1000 > now.getTime()
}

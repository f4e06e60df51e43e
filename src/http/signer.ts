import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * The one way values are signed (CSRF tokens, the journey's links, keys derived for the model bank): HMAC-SHA256
 * over `purpose\npart\npart…`, base64url. The purpose keeps one kind of signature from ever passing for another:
 * a result link is no CSRF token, and the bank's tokens are not Ledgerite's.
 */
export interface Signer {
  sign: (...parts: string[]) => string
  /** Constant-time; false for anything that is not a string. */
  verify: (mac: unknown, ...parts: string[]) => boolean
}

export function signer (key: Buffer, purpose: string): Signer {
  const sign = (...parts: string[]): string => createHmac('sha256', key).update(`${purpose}\n${parts.join('\n')}`).digest('base64url')
  return {
    sign,
    verify: (mac, ...parts) => {
      if (typeof mac !== 'string' || mac.length === 0) return false
      const a = Buffer.from(mac)
      const b = Buffer.from(sign(...parts))
      return a.length === b.length && timingSafeEqual(a, b)
    },
  }
}

/** A key of its own for one part of the server (the model bank shares no key with Ledgerite), from the server secret. */
export const deriveKey = (key: Buffer, label: string): Buffer => createHmac('sha256', key).update(`${label}\n`).digest()

import { isIP } from 'node:net'
import { invalidField } from '../contract/errors.ts'

/**
 * `Tl-User-IP`: "The first IP address in the list will be used as the end-user IP address." Returns that address,
 * undefined when the header is absent, and throws Invalid Parameters naming the header when it is not an IP.
 */
export function endUserIp (headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = headers['tl-user-ip']
  if (raw === undefined) return undefined
  const first = (Array.isArray(raw) ? raw[0] : raw)?.split(',')[0]?.trim() ?? ''
  if (!isIP(first)) {
    throw invalidField('Tl-User-IP', 'must be an IPv4 or IPv6 address (the first of a comma-separated list is used)',
      'The Tl-User-IP header was invalid.')
  }
  return first
}

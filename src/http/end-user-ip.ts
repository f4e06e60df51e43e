import { isIP } from 'node:net'
import { invalidParameters } from '../contract/errors.ts'

/**
 * `Tl-User-IP`: "The first IP address in the list will be used as the end-user IP address." Returns that address,
 * undefined when the header is absent, and throws Invalid Parameters naming the header when it is not an IP.
 * Proxies often pass the address with the client's port (`1.2.3.4:5678`, `[2001:db8::1]:443`): the address part is
 * used, as the real service does with such a header.
 */
export function endUserIp (headers: Record<string, string | string[] | undefined>): string | undefined {
  const raw = headers['tl-user-ip']
  if (raw === undefined) return undefined
  const first = (Array.isArray(raw) ? raw[0] : raw)?.split(',')[0]?.trim() ?? ''
  const address = withoutPort(first)
  if (!isIP(address)) {
    throw invalidParameters({ 'Tl-User-IP': ['must be an IPv4 or IPv6 address, optionally with a port (the first of a comma-separated list is used)'] },
      'The request headers were invalid.')
  }
  return address
}

/** `1.2.3.4:5678` → `1.2.3.4`; `[::1]:443` and `[::1]` → `::1`; anything else unchanged (a bare IPv6 has colons). */
function withoutPort (value: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value)
  if (bracketed) return bracketed[1]!
  const v4 = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(value)
  return v4 ? v4[1]! : value
}

import type { LookupAddress } from 'node:dns'
import { lookup as dnsLookup } from 'node:dns/promises'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { addressRefusal, DestinationRefusedError, hostRefusal, type WebhookDestinationPolicy } from './webhook.destination.ts'

/** Resolves a host name to its addresses (the system resolver by default; tests map names without DNS). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>

export const systemResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

export interface GuardedPost {
  url: string
  headers: Record<string, string>
  body: string
  policy: WebhookDestinationPolicy
  resolve: Resolver
  signal: AbortSignal
}

/**
 * POSTs a webhook and resolves with the receiver's status code. The destination policy is applied to the URL's
 * host, then to every address the name resolves to, and the connection goes to those checked addresses: the
 * socket's own `lookup` is the check, so no second resolution can hand it another address. One address the policy
 * refuses refuses the delivery (a name that mixes a public and a metadata address is not a receiver). Redirects
 * are not followed (a 3xx is the receiver's answer), and no connection is kept for reuse.
 */
export function guardedPost (options: GuardedPost): Promise<number> {
  const target = new URL(options.url)
  const literal = hostRefusal(target.hostname, options.policy)
  if (literal) return Promise.reject(new DestinationRefusedError(literal))
  const lookup = (hostname: string, lookupOptions: { all?: boolean }, callback: (...args: unknown[]) => void): void => {
    options.resolve(hostname).then((addresses) => {
      if (addresses.length === 0) throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' })
      for (const a of addresses) {
        const refusal = addressRefusal(a.address, options.policy)
        if (refusal) throw new DestinationRefusedError(`${hostname} resolves to ${refusal}`)
      }
      if (lookupOptions.all) callback(null, addresses)
      else callback(null, addresses[0]!.address, addresses[0]!.family)
    }).catch((err: unknown) => callback(err))
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    const req = send(target, {
      method: 'POST',
      headers: { ...options.headers, 'Content-Length': String(Buffer.byteLength(options.body)) },
      agent: false,
      lookup: lookup as never,
      signal: options.signal,
    }, (res) => {
      // Only the status matters; the body is not read (and not kept open).
      resolve(res.statusCode ?? 0)
      res.destroy()
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

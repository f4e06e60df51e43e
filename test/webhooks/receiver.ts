import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type HttpMethod, verify } from 'truelayer-signing'

export interface Received {
  path: string
  headers: IncomingHttpHeaders
  body: string
  /** The body parsed (the event). */
  event: Record<string, unknown>
}

export interface Receiver {
  url: string
  received: Received[]
  /** Decides each answer: a status code, or 'hang' to never answer (until the receiver closes). */
  respond: (r: Received, n: number) => number | 'hang'
  /** Resolves once `n` requests have arrived (bounded: rejects after `ms`). */
  waitFor (n: number, ms?: number): Promise<void>
  close (): Promise<void>
}

/** A real HTTP server on 127.0.0.1 and a free port, recording every webhook it gets. */
export async function startReceiver (path = '/hooks/ledgerite'): Promise<Receiver> {
  const waiters: Array<{ n: number, resolve: () => void }> = []
  const receiver: Receiver = {
    url: '',
    received: [],
    respond: () => 200,
    waitFor: (n, ms = 10_000) => new Promise((resolve, reject) => {
      if (receiver.received.length >= n) return resolve()
      const timer = setTimeout(() => reject(new Error(`receiver got ${receiver.received.length} of ${n} requests`)), ms)
      waiters.push({ n, resolve: () => { clearTimeout(timer); resolve() } })
    }),
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let event: Record<string, unknown> = {}
      try { event = JSON.parse(body) } catch { /* recorded as is; the test fails on it */ }
      const r: Received = { path: (req.url ?? '/').split('?')[0]!, headers: req.headers, body, event }
      receiver.received.push(r)
      const answer = receiver.respond(r, receiver.received.length)
      for (const w of waiters.filter((x) => receiver.received.length >= x.n)) w.resolve()
      if (answer === 'hang') return
      res.writeHead(answer).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`
  return receiver
}

/**
 * What a receiver does with a delivery: truelayer-signing's `verify` against the given key set, requiring the
 * timestamp header to be signed. Throws (SignatureError) when the delivery is not authentic.
 */
export function verifyDelivery (r: Received, jwks: string): void {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string') headers[k] = v
  verify({
    jwks,
    signature: headers['tl-signature'] ?? '',
    method: 'POST' as HttpMethod,
    path: r.path,
    body: r.body,
    headers,
    requiredHeaders: ['X-Tl-Webhook-Timestamp'],
  })
}

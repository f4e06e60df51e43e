import { createServer, type Server } from 'node:http'

/**
 * A webhook receiver on 127.0.0.1 that answers 200 and counts deliveries per `event_id`, for the crash and
 * two-process tests. It records what arrived; the tests decide what counts as lost or duplicated.
 */
export interface WebhookReceiver {
  url: string
  /** event_id → number of deliveries seen. */
  counts: Map<string, number>
  /** event_id → the parsed body of its first delivery. */
  bodies: Map<string, Record<string, unknown>>
  /** Deliveries whose body was not JSON with an event_id. */
  malformed: number
  /** Resolves once every id in `ids` was seen, or rejects after `timeoutMs`. */
  waitFor: (ids: Iterable<string>, timeoutMs: number) => Promise<void>
  close: () => Promise<void>
}

export async function startWebhookReceiver (): Promise<WebhookReceiver> {
  const counts = new Map<string, number>()
  const bodies = new Map<string, Record<string, unknown>>()
  const state = { malformed: 0 }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
        const id = body.event_id
        if (typeof id !== 'string') throw new Error('no event_id')
        counts.set(id, (counts.get(id) ?? 0) + 1)
        if (!bodies.has(id)) bodies.set(id, body)
      } catch {
        state.malformed++
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    counts,
    bodies,
    get malformed () { return state.malformed },
    waitFor: async (ids, timeoutMs) => {
      const want = [...ids]
      const deadline = Date.now() + timeoutMs
      while (want.some((id) => !counts.has(id))) {
        if (Date.now() > deadline) {
          const missing = want.filter((id) => !counts.has(id))
          throw new Error(`${missing.length} of ${want.length} webhook event(s) not delivered within ${timeoutMs} ms, e.g. ${missing.slice(0, 5).join(', ')}`)
        }
        await new Promise((r) => setTimeout(r, 100))
      }
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ApiError } from '../../contract/errors.ts'
import { sha256 } from '../../contract/ids.ts'
import type { Deps } from '../../deps.ts'
import { storageFault } from '../../storage/health.ts'
import { countPendingEvents } from '../webhooks/webhook.repository.ts'

/** A check that neither answers nor fails (a server that accepts connections and hangs) counts as a failure after this. */
const READINESS_TIMEOUT_MS = 2000

function withTimeout<T> (p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms) })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Operability: liveness (/healthz: the process answers), readiness (/readyz: the database, and Redis when set, answer;
 * a SQLite file found damaged at run time fails it until the restart — take the instance out of a load balancer
 * otherwise) and Prometheus metrics (/metrics: Ledgerite's and the process's, http/metrics.ts).
 */
const ext = (description: string) => ({ schema: { description, 'x-ledgerite-extension': true }, logLevel: 'warn' as const })

export async function opsRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  deps.metrics.gauge('ledgerite_webhook_queue_depth', 'Webhook events waiting for delivery (pending).', async () => {
    // While the database is away the depth is unknown (NaN), and /metrics still answers: an outage is when it matters.
    try {
      return await countPendingEvents(deps.db)
    } catch {
      return Number.NaN
    }
  })

  app.get('/healthz', ext('Liveness: the process answers. An operational extension, not part of the Data API.'), async () => ({ status: 'ok' }))

  app.get('/readyz', ext('Readiness: the database answers, and Redis when REDIS_URL is set (503 otherwise, naming which). An operational extension, not part of the Data API.'), async (request, reply) => {
    const results = await Promise.all(deps.readiness.map(async ({ name, check }) => {
      try {
        await withTimeout(check(), READINESS_TIMEOUT_MS, `no answer within ${READINESS_TIMEOUT_MS} ms`)
        return [name, 'ok'] as const
      } catch (err) {
        request.log.warn({ component: name, err: { code: (err as { code?: unknown }).code, message: (err as Error).message } }, 'readiness check failed')
        return [name, storageFault(err)?.kind === 'damaged' ? 'damaged' : 'unavailable'] as const
      }
    }))
    const checks = Object.fromEntries(results)
    if (results.every(([, state]) => state === 'ok')) return { status: 'ready', database: deps.dialect, checks }
    // Readiness is polled every few seconds by a load balancer: a 503 here takes the instance out, and the next
    // passing poll puts it back, with nothing restarted.
    return reply.code(503).header('Retry-After', '2').send({ status: 'unavailable', database: deps.dialect, checks })
  })

  // With METRICS_TOKEN set, only a scraper holding it reads the metrics (route names, counts, queue depth).
  const metricsToken = deps.config.metricsToken
  const allowedToScrape = (request: FastifyRequest): boolean => {
    if (!metricsToken) return true
    const m = /^Bearer\s+(\S+)$/.exec(request.headers.authorization ?? '')
    // Compared as digests: equal lengths, constant time.
    return m !== null && timingSafeEqual(Buffer.from(sha256(m[1]!), 'hex'), Buffer.from(sha256(metricsToken), 'hex'))
  }
  app.get('/metrics', {
    ...ext('Prometheus metrics in the text exposition format; with METRICS_TOKEN set, send `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise). An operational extension, not part of the Data API.'),
    onRequest: async (request, reply) => {
      if (allowedToScrape(request)) return
      reply.header('www-authenticate', 'Bearer realm="metrics"')
      throw new ApiError('UNAUTHENTICATED', 'The metrics need Authorization: Bearer <METRICS_TOKEN>.')
    },
  }, async (_request, reply) => {
    return reply.type(deps.metrics.contentType).send(await deps.metrics.render())
  })
}

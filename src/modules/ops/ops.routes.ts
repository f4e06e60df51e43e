import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { Deps } from '../../deps.ts'

/**
 * Operability: liveness (/healthz: the process answers), readiness (/readyz: the database answers — take the
 * instance out of a load balancer otherwise) and Prometheus metrics (/metrics).
 */
const ext = (description: string) => ({ schema: { description, 'x-ledgerite-extension': true }, logLevel: 'warn' as const })

export async function opsRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  deps.metrics.gauge('ledgerite_webhook_queue_depth', 'Webhook events waiting for delivery (pending).', async () => {
    const row = await deps.db.selectFrom('webhook_events').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'pending').executeTakeFirst()
    return Number(row?.n ?? 0)
  })

  app.get('/healthz', ext('Liveness: the process answers. An operational extension, not part of the Data API.'), async () => ({ status: 'ok' }))

  app.get('/readyz', ext('Readiness: the database answers (503 otherwise). An operational extension, not part of the Data API.'), async (request, reply) => {
    try {
      await sql`select 1`.execute(deps.db)
      return { status: 'ready', database: deps.dialect }
    } catch (err) {
      request.log.error({ err }, 'readiness check failed')
      return reply.code(503).send({ status: 'unavailable', database: deps.dialect })
    }
  })

  app.get('/metrics', ext('Prometheus metrics in the text exposition format. An operational extension, not part of the Data API.'), async (_request, reply) => {
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(await deps.metrics.render())
  })
}

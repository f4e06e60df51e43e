import { buildApp } from './app.ts'
import type { Config } from './config.ts'
import { createDeps } from './deps.ts'
import { serializeRequest } from './http/log-serializers.ts'
import { startWorkers } from './workers.ts'

/**
 * Process entry for `ledgerite start`: build, listen, and on SIGTERM/SIGINT stop taking requests, let the ones in
 * flight and the workers' current round finish, then close the database.
 */
export async function startServer (config: Config): Promise<void> {
  const deps = await createDeps(config)
  const app = await buildApp(deps, {
    logger: {
      level: config.logLevel,
      // Never log credentials: tokens, client secrets and cookies are redacted wherever they appear.
      redact: ['req.headers.authorization', 'req.headers.cookie', 'req.body.client_secret', 'res.headers["set-cookie"]'],
      // Request lines carry the URL; its credential parameters (hosted-page token, signed links, bank code) are masked.
      serializers: { req: serializeRequest },
    },
  })
  startWorkers(deps)
  await app.listen({ port: config.port, host: config.host })
  const url = config.publicUrl
  app.log.info({
    url, docs: `${url}/docs`, console: `${url}/console`, openapi: `${url}/openapi.json`,
    database: config.databaseUrl.replace(/\/\/[^@]*@/, '//***@'),
  }, `Ledgerite is ready at ${url}/ (first steps there; API reference ${url}/docs, Console ${url}/console, contract ${url}/openapi.json)`)

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down: draining requests and workers')
    const force = setTimeout(() => process.exit(1), 15_000)
    force.unref()
    await app.close()
    await deps.workers.stop()
    await deps.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

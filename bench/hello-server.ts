import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

/**
 * The ceiling: a bare Fastify hello-world, the same framework and version Ledgerite runs on, in its own process,
 * measured by the same load generator in the same run. Every Ledgerite figure is read as a fraction of this.
 * With BODY_FILE set it sends that file's text as its JSON answer instead: the ceiling for a response of that size
 * (the 500-item transactions page), already serialised, with no work at all behind it.
 */
const body = process.env.BODY_FILE ? readFileSync(process.env.BODY_FILE, 'utf8') : undefined
const app = Fastify({ logger: false })
app.get('/', async (_request, reply) => (body === undefined ? { hello: 'world' } : reply.type('application/json; charset=utf-8').send(body)))
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })

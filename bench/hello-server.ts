import Fastify from 'fastify'

/**
 * The ceiling: a bare Fastify hello-world, the same framework and version Ledgerite runs on, in its own process,
 * measured by the same load generator in the same run. Every Ledgerite figure is read as a fraction of this.
 */
const app = Fastify({ logger: false })
app.get('/', async () => ({ hello: 'world' }))
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })

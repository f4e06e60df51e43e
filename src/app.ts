import formbody from '@fastify/formbody'
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify'
import type { Deps } from './deps.ts'
import { ApiError, invalidParameters } from './contract/errors.ts'
import { registerErrorHandling, sendError } from './http/error-handler.ts'
import { registerJsonBodyParser } from './http/json-body-parser.ts'
import { registerOpenApi } from './http/openapi.ts'
import { refuseUnstorableText } from './http/text-guard.ts'
import { useTokenAuthentication } from './http/authenticate.ts'
import { genTraceId, TRACE_HEADER } from './http/trace-id.ts'
import { validatorCompiler } from './http/validation.ts'
import { tokenRoutes } from './modules/auth/token.routes.ts'
import { connectionRoutes } from './modules/connections/connection.routes.ts'
import { consoleRoutes } from './modules/console/console.routes.ts'
import { dataRoutes } from './modules/data/data.routes.ts'
import { homeRoutes } from './modules/home/home.routes.ts'
import { bankStepRoutes, providerSelectionRoutes } from './modules/journey/bank-step.routes.ts'
import { journeyRoutes } from './modules/journey/journey.routes.ts'
import { modelBankRoutes } from './modules/model-bank/model-bank.routes.ts'
import { opsRoutes } from './modules/ops/ops.routes.ts'
import { providerRoutes } from './modules/providers/provider.routes.ts'
import { sandboxRoutes } from './modules/sandbox/sandbox.routes.ts'
import { webhookDeliveryRoutes, webhookRoutes } from './modules/webhooks/webhook.routes.ts'
import { registerWorkers } from './workers.ts'

export interface BuildAppOptions {
  /** pino logger options, or false for none (tests). */
  logger?: boolean | object
}

/** Body limit for every route: 64 KiB (the contract's bodies are small; bigger is a mistake or an attack). */
export const BODY_LIMIT = 64 * 1024

/**
 * The application as a value: every module registered explicitly, in order. `server.ts` only listens; tests
 * build this and call `inject`.
 */
export async function buildApp (deps: Deps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  // Served at an https PUBLIC_URL, browsers are told to use nothing else for a year (RFC 6797): on every reply,
  // those made before routing (a badly encoded path, which runs no hook) included.
  const hsts = deps.config.publicUrl.startsWith('https:') ? 'max-age=31536000' : undefined
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: genTraceId,
    logController: new LogController({ requestIdLogLabel: 'trace_id' }),
    bodyLimit: BODY_LIMIT,
    // The client's address (request.ip: the sign-in throttle's key, the logs) from X-Forwarded-For only when the
    // operator says which proxies to believe (TRUST_PROXY).
    trustProxy: deps.config.trustProxy as FastifyServerOptions['trustProxy'],
    // A request must arrive whole within REQUEST_TIMEOUT_MS, or its socket is closed (408): a client trickling a
    // body cannot hold a connection open. Node checks open connections at `connectionsCheckingInterval`, so that
    // is kept well under the timeout; headers get no longer than the whole request.
    requestTimeout: deps.config.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(60_000, deps.config.requestTimeoutMs),
      connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(deps.config.requestTimeoutMs / 10))),
    },
    // Reject __proto__ and constructor.prototype keys in JSON instead of silently dropping them.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { allErrors: true } },
    // Response serialisers pick a union's branch by validating the data against each branch; formats play no part
    // in telling branches apart, and checking them costs: a 500-item page spent ~7 % of its time in date-time checks.
    serializerOpts: { ajv: { validateFormats: false } },
    // Errors Fastify raises before routing (a badly percent-encoded path) get the same problem+json as any other.
    frameworkErrors: (err, request, reply) => {
      if (hsts) reply.header('Strict-Transport-Security', hsts)
      if (err.code === 'FST_ERR_BAD_URL') {
        return sendError(request, reply, new ApiError('NOT_FOUND', `The path ${JSON.stringify(request.url.split('?')[0])} is not a valid URL path (bad percent-encoding).`))
      }
      return sendError(request, reply, invalidParameters({ request: [err.message] }, 'The request was invalid.'))
    },
  })
  app.setValidatorCompiler(validatorCompiler)
  app.removeContentTypeParser('text/plain')
  registerJsonBodyParser(app, BODY_LIMIT)
  await app.register(formbody, { bodyLimit: BODY_LIMIT })

  if (hsts) app.addHook('onSend', async (_request, reply) => { reply.header('Strict-Transport-Security', hsts) })
  // These two run on every request: callback style, so neither costs a promise and a microtask turn.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(TRACE_HEADER, request.id)
    reply.header('X-Content-Type-Options', 'nosniff')
    done()
  })
  // Per-route request counts and latency; the route pattern, not the URL, so ids don't explode the label set.
  app.addHook('onResponse', (request, reply, done) => {
    deps.metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000)
    done()
  })
  app.addHook('preValidation', refuseUnstorableText)
  registerErrorHandling(app)

  await registerOpenApi(app, deps.config)

  // Each module is a plugin given the same deps; order only matters for hooks, and no module adds global ones.
  await app.register(async (s) => tokenRoutes(s, deps))
  // The authenticated scope: every route answering to a client's access token, the token checked in onRequest
  // (before the body is read or validated) by one hook (src/http/authenticate.ts).
  await app.register(async (authenticated) => {
    useTokenAuthentication(authenticated, deps.tokens)
    await authenticated.register(async (s) => connectionRoutes(s, deps))
    await authenticated.register(async (s) => providerRoutes(s, deps))
    await authenticated.register(async (s) => providerSelectionRoutes(s, deps))
    await authenticated.register(async (s) => dataRoutes(s, deps))
    await authenticated.register(async (s) => webhookDeliveryRoutes(s, deps))
    if (deps.config.sandboxControl) await authenticated.register(async (s) => sandboxRoutes(s, deps))
  })
  await app.register(async (s) => journeyRoutes(s, deps))
  await app.register(async (s) => bankStepRoutes(s, deps))
  await app.register(async (s) => modelBankRoutes(s, deps))
  await app.register(async (s) => webhookRoutes(s, deps))
  await app.register(async (s) => consoleRoutes(s, deps))
  await app.register(async (s) => opsRoutes(s, deps))
  await app.register(async (s) => homeRoutes(s, deps))

  // The model bank lives in this app, so by default Ledgerite's requests to it go through the app in-process;
  // MODEL_BANK_URL points at an external one instead (then there is nothing to serve).
  deps.serveInProcessBank?.(app)
  // The background workers, from the same deps (src/workers.ts); they run once started (server.ts).
  registerWorkers(deps)
  return app
}

import swagger from '@fastify/swagger'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.ts'
import { registerApiDocs } from './api-docs.ts'

/** Paths that are API surface; hosted pages, the model bank's browser pages and the Console are not. */
const DOCUMENTED = /^\/(v3|connect|sandbox|\.well-known|healthz|readyz|metrics|model-bank\/[^/]+\/(account-access-consents|token|accounts|userinfo))/

/**
 * OpenAPI 3.1 generated from the same TypeBox schemas the routes validate with, served at /openapi.json, and a
 * reference page at /docs rendered from it on the server (api-docs.ts). Routes outside the published contract
 * carry `'x-ledgerite-extension': true` in their schema; this description says so once more in its text.
 */
export async function registerOpenApi (app: FastifyInstance, config: Config): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ledgerite — Data API v3',
        version: '0.1.0',
        description: 'A stateful, offline implementation of the open-banking Data API v3 connections contract. ' +
          'Operations marked `x-ledgerite-extension: true` are not in the published contract: they are Ledgerite ' +
          'extensions (reading and revoking connections, balances, provider listing, webhook deliveries, sandbox control). ' +
          'Behaviour where the contract is silent is described in docs/behaviour-notes.md.',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          OAuth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: `${config.publicUrl}/connect/token`, scopes: { data: 'for accessing all the endpoints of Data API' } } } },
        },
      },
    },
    transform: ({ schema, url }) => {
      if (!DOCUMENTED.test(url)) return { schema: { ...(schema ?? {}), hide: true } as never, url }
      return { schema, url }
    },
  })
  await registerApiDocs(app, () => app.swagger())
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}

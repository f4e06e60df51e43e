import type { FastifyInstance, FastifyRequest, FastifySchemaValidationError } from 'fastify'
import type { Static } from '@sinclair/typebox'
import type { Deps } from '../../deps.ts'
import { type Client, findClient } from '../auth/client.repository.ts'
import { requireJsonBody } from '../../http/require-json.ts'
import { formatValidationErrors } from '../../http/validation.ts'
import { createConnectionHints } from './connection.hints.ts'
import {
  ConnectionListSchema, ConnectionParams, ConnectionViewSchema, CREATE_PROBLEMS, CreateConnectionBody, CreateConnectionHeaders,
  CreatedConnectionSchema, ListConnectionsQuery, READ_PROBLEMS,
} from './connection.schema.ts'
import { createConnection, getConnection, listConnections } from './connection.service.ts'
import { dropUnknownFields } from './unknown-fields.ts'

const extension = { 'x-ledgerite-extension': true }

/** Per create request: its client (read once, before validation) and the fields dropped for an `ignore` client. */
const createContext = new WeakMap<FastifyRequest, { client: Client | undefined, ignoredFields: string[] }>()

/** Create a connection (the contract), read one and list them (extensions). Handlers only translate HTTP. */
export async function connectionRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  // The token was checked in onRequest, so the client is known before validation (read with the token check; the
  // service uses that read too) and, for a client that chose `ignore`, the fields the schema does not declare are dropped.
  const applyUnknownFieldsSetting = async (request: FastifyRequest): Promise<void> => {
    const client = request.client ?? await findClient(deps.db, request.clientId)
    let ignoredFields: string[] = []
    if (client?.unknownFields === 'ignore') {
      const dropped = dropUnknownFields(CreateConnectionBody, request.body)
      request.body = dropped.body
      ignoredFields = dropped.ignored
    }
    createContext.set(request, { client, ignoredFields })
  }

  app.post('/v3/data-connections', {
    schema: {
      summary: 'Create a connection',
      tags: ['Connection Management'],
      security: [{ OAuth2: ['data'] }],
      headers: CreateConnectionHeaders,
      body: CreateConnectionBody,
      response: { 201: CreatedConnectionSchema, ...CREATE_PROBLEMS },
    },
    // The schema's problems are merged with the cross-field rules' in the service: one 400 lists them all.
    attachValidation: true,
    config: { hints: createConnectionHints },
    preValidation: [requireJsonBody, applyUnknownFieldsSetting],
  }, async (request, reply) => {
    const context = createContext.get(request)
    const failed = (request as { validationError?: { validation?: FastifySchemaValidationError[], validationContext?: string } }).validationError
    const created = await createConnection(deps, {
      clientId: request.clientId,
      client: context?.client,
      ignoredFields: context?.ignoredFields ?? [],
      body: request.body,
      schemaErrors: failed?.validation
        ? formatValidationErrors(failed.validation as never, failed.validationContext ?? 'body', request.body, createConnectionHints)
        : undefined,
      headers: request.headers,
    })
    return reply.code(201).send(created)
  })

  app.get<{ Params: Static<typeof ConnectionParams> }>('/v3/data-connections/:connection_id', {
    schema: {
      summary: 'Get a connection (Ledgerite extension)',
      description: 'Extension: not in the published Data API v3. The connection\'s status, user, scopes and timeline fields.',
      tags: ['Connection Management'],
      security: [{ OAuth2: ['data'] }],
      params: ConnectionParams,
      response: { 200: ConnectionViewSchema, ...READ_PROBLEMS },
      ...extension,
    },
  }, async (request) => getConnection(deps, request.clientId, request.params.connection_id))

  app.get<{ Querystring: Static<typeof ListConnectionsQuery> }>('/v3/data-connections', {
    schema: {
      summary: 'List connections (Ledgerite extension)',
      description: 'Extension: not in the published Data API v3. The client\'s connections, newest first; `limit` 1–100 (default 20), `cursor` from `pagination.next_cursor`, optional `status`.',
      tags: ['Connection Management'],
      security: [{ OAuth2: ['data'] }],
      querystring: ListConnectionsQuery,
      response: { 200: ConnectionListSchema, 400: READ_PROBLEMS[400], 401: READ_PROBLEMS[401], 403: READ_PROBLEMS[403] },
      ...extension,
    },
  }, async (request) => listConnections(deps, request.clientId, request.query))
}

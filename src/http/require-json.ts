import type { FastifyRequest } from 'fastify'
import { ApiError } from '../contract/errors.ts'

/**
 * preValidation for JSON API routes that take a body: any other content type is 415, even one the server can
 * parse elsewhere (forms are for the token endpoint and the hosted pages only).
 */
export async function requireJsonBody (request: FastifyRequest): Promise<void> {
  if (request.body === undefined && !request.headers['content-type']) return
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(request.headers['content-type'] ?? '')} is not supported: send the body as application/json.`)
  }
}

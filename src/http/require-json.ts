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
    throw unsupportedMediaType(request.headers['content-type'])
  }
}

/** 415, typed Invalid Parameters (the contract publishes no type of its own for it), naming the header at fault. */
export function unsupportedMediaType (contentType: string | undefined): ApiError {
  return new ApiError('UNSUPPORTED_MEDIA_TYPE', `The request body was sent as ${JSON.stringify(contentType ?? '')}: send it as application/json.`,
    { errors: { 'Content-Type': ['must be application/json'] } })
}

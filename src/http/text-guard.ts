import type { FastifyRequest } from 'fastify'
import { ApiError, invalidParameters } from '../contract/errors.ts'
import { findUnstorableText } from './json-body-parser.ts'

/**
 * preValidation for every route: path parameters, query strings and form bodies holding text that cannot be
 * stored or looked up (NUL, unpaired surrogates) are refused before any query runs — a path id that cannot
 * exist is "not found", a bad query or form field is named. (JSON bodies are checked by the JSON parser.)
 */
export async function refuseUnstorableText (request: FastifyRequest): Promise<void> {
  const params = request.params as Record<string, unknown> | undefined
  if (params && findUnstorableText(params, '')) throw new ApiError('NOT_FOUND')
  const query = findUnstorableText(request.query, '')
  if (query) throw invalidParameters({ [query.path]: [query.problem] }, 'The request parameters were invalid.')
  if (request.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
    const form = findUnstorableText(request.body, '')
    if (form) throw invalidParameters({ [form.path]: [form.problem] })
  }
}

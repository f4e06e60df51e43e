import { Type } from '@sinclair/typebox'
import type { ApiError, FieldErrors, ProblemSpec } from './errors.ts'

/** RFC 9457 problem body, in the shape the Data API v3 publishes (`trace_id` required, `errors` for 400s). */
export interface Problem {
  type: string
  title: string
  status: number
  detail: string
  trace_id: string
  errors?: FieldErrors
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

/** `spec` is the error's own catalogue entry, narrowed by the caller to a problem (OAuth entries have their shape). */
export function toProblem (err: ApiError, spec: ProblemSpec, traceId: string): Problem {
  const body: Problem = { type: spec.type, title: spec.title, status: spec.status, detail: err.message, trace_id: traceId }
  if (err.errors) body.errors = err.errors
  return body
}

/** The problem body as a response schema (TypeBox), so /openapi.json documents each refusal of a route. */
export const problemSchema = (description: string) => Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  trace_id: Type.String(),
  errors: Type.Optional(Type.Object({}, { additionalProperties: Type.Array(Type.String()), description: 'Invalid Parameters only: each field or header at fault, with what is wrong.' })),
}, { description })

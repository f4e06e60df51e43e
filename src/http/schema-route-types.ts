import type { Static, TSchema } from '@sinclair/typebox'

type Part<S, K extends string> = S extends { [P in K]: infer T extends TSchema } ? Static<T> : unknown

/**
 * A route's request types (Fastify's route generic) read from its TypeBox schema object, so a handler's params,
 * query, body and headers are typed by the schema that validates them. `@fastify/type-provider-typebox` 6 infers from
 * the newer `typebox` package, which reads `@sinclair/typebox`'s `Type.Unsafe` enums as `unknown`; `Static` here does not.
 */
export interface SchemaRouteTypes<S> {
  Params: Part<S, 'params'>
  Querystring: Part<S, 'querystring'>
  Body: Part<S, 'body'>
  Headers: Part<S, 'headers'>
}

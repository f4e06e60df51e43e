import { randomBytes } from 'node:crypto'

/**
 * Every request gets a trace id (32 hex characters, like the real service's). Fastify uses it as the request id,
 * so every log line of the request carries it as `trace_id`; the `Tl-Trace-Id` response header and every
 * problem body carry it too.
 */
export const TRACE_HEADER = 'Tl-Trace-Id'
export const genTraceId = (): string => randomBytes(16).toString('hex')

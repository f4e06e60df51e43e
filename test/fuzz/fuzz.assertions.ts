import assert from 'node:assert/strict'
import type { LightMyRequestResponse } from 'fastify'
import fc from 'fast-check'
import { Errors, PUBLISHED_TYPES } from '../../src/contract/errors.ts'

/** Runs per property: a few hundred in `npm test`, FUZZ_RUNS (10 000 in `npm run fuzz`) otherwise. */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 200)
/**
 * `npm test` uses a fixed seed, so CI is repeatable and a failure replays; `npm run fuzz` (FUZZ_RUNS set) explores
 * with a fresh seed each time. FUZZ_SEED replays a seed fast-check printed.
 */
export const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : process.env.FUZZ_RUNS ? undefined : 20261126
export const fcParams = (runs = RUNS) => ({ numRuns: runs, ...(SEED !== undefined ? { seed: SEED } : {}) })

/**
 * fc.assert, with the failing assertion's own message in the error (node's test reporter shows only the message,
 * and fast-check keeps the cause apart).
 */
export async function check<Ts extends [unknown, ...unknown[]]> (property: fc.IAsyncPropertyWithHooks<Ts>, runs = RUNS): Promise<void> {
  try {
    await fc.assert(property, fcParams(runs))
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause
    if (cause instanceof Error) (err as Error).message += `\nCause: ${cause.message}`
    throw err
  }
}

/** Each published type with its title and the statuses it is sent with (413/415 go as Invalid Parameters, say). */
const KNOWN_TYPES = new Map<string, { statuses: Set<number>, title: string }>()
for (const e of Object.values(Errors)) {
  const known = KNOWN_TYPES.get(e.type) ?? { statuses: new Set<number>(), title: e.title }
  known.statuses.add(e.status)
  KNOWN_TYPES.set(e.type, known)
}

/** Never a 5xx: whatever the input, the server answers it. */
export function assertNot5xx (res: LightMyRequestResponse, what: string): void {
  assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 500)}`)
}

/**
 * A 4xx is a well-formed RFC 9457 problem from the catalogue: problem+json, `type`/`title` of a known error with the
 * matching status, `status` equal to the HTTP status, a non-empty `detail`, the `trace_id` of the Tl-Trace-Id header,
 * and for Invalid Parameters an `errors` map of field → non-empty list of messages.
 */
export function assertProblem (res: LightMyRequestResponse, what: string): Record<string, unknown> {
  assertNot5xx(res, what)
  assert.ok(res.statusCode >= 400, `${what}: expected a refusal, got ${res.statusCode}`)
  const ct = String(res.headers['content-type'] ?? '')
  assert.match(ct, /^application\/problem\+json/, `${what}: content-type ${ct}; body ${res.body.slice(0, 300)}`)
  const body = JSON.parse(res.body) as Record<string, unknown>
  const known = KNOWN_TYPES.get(String(body.type))
  assert.ok(known, `${what}: unknown problem type ${String(body.type)}`)
  assert.ok(PUBLISHED_TYPES.has(String(body.type)), `${what}: ${String(body.type)} is not a published problem type`)
  assert.equal(body.title, known.title, `${what}: title`)
  assert.equal(body.status, res.statusCode, `${what}: status member equals the HTTP status`)
  assert.ok(known.statuses.has(res.statusCode), `${what}: ${String(body.type)} is sent with one of its statuses (${[...known.statuses].join(', ')}), not ${res.statusCode}`)
  assert.equal(typeof body.detail, 'string', `${what}: detail`)
  assert.ok((body.detail as string).length > 0, `${what}: detail is not empty`)
  assert.equal(typeof body.trace_id, 'string', `${what}: trace_id`)
  assert.equal(body.trace_id, res.headers['tl-trace-id'], `${what}: trace_id is the Tl-Trace-Id header`)
  if (body.type === Errors.INVALID_PARAMETERS.type) {
    const errors = body.errors as Record<string, unknown>
    assert.ok(errors && typeof errors === 'object' && !Array.isArray(errors), `${what}: Invalid Parameters carries errors`)
    assert.ok(Object.keys(errors).length > 0, `${what}: errors names at least one field`)
    for (const [field, messages] of Object.entries(errors)) {
      assert.ok(Array.isArray(messages) && messages.length > 0 && messages.every((m) => typeof m === 'string' && m.length > 0),
        `${what}: errors[${JSON.stringify(field)}] is a non-empty list of messages`)
    }
  }
  return body
}

/** The answer is either a success with `okStatus` or a well-formed problem. */
export function assertAnswered (res: LightMyRequestResponse, okStatus: number, what: string): boolean {
  if (res.statusCode === okStatus) return true
  assertProblem(res, what)
  return false
}

/** The auth server's OAuth error shape: `{error, error_description}`, JSON, no problem+json. */
export const OAUTH_ERRORS = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope'] as const
export function assertOAuthError (res: LightMyRequestResponse, what: string): Record<string, unknown> {
  assertNot5xx(res, what)
  assert.ok([400, 401, 413, 415].includes(res.statusCode), `${what}: OAuth errors are 400 or 401 (413/415 for a body refused before parsing), got ${res.statusCode}`)
  const ct = String(res.headers['content-type'] ?? '')
  assert.match(ct, /^application\/json/, `${what}: content-type ${ct}; body ${res.body.slice(0, 300)}`)
  const body = JSON.parse(res.body) as Record<string, unknown>
  assert.ok((OAUTH_ERRORS as readonly string[]).includes(String(body.error)), `${what}: error ${JSON.stringify(body.error)} is an OAuth error code`)
  assert.equal(typeof body.error_description, 'string', `${what}: error_description`)
  assert.ok((body.error_description as string).length > 0, `${what}: error_description is not empty`)
  if (body.error === 'invalid_client') assert.equal(res.statusCode, 401, `${what}: invalid_client is 401`)
  return body
}

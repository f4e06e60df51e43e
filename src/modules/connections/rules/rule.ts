import type { FieldErrorCollector } from '../../../contract/errors.ts'
import type { Client } from '../../auth/client.repository.ts'

/**
 * A cross-field rule of create-connection. Rules run on every request, also when the body failed the schema,
 * so that one 400 lists every problem: they read the body through `obj`/`str` and check only what has the
 * expected type (the schema reports the rest).
 */
export interface RuleInput {
  /** The parsed JSON body; its shape is NOT guaranteed (see above). */
  body: unknown
  /** The client making the request (redirect URIs, AISP licence). */
  client: Client
  /** The client's clock. */
  now: Date
}

export interface Rule {
  /** Short name, for the list in rules/index.ts and for logs. */
  name: string
  /** Adds every problem found to `errors`; may return a sentence for the problem's `detail` (e.g. the list of configurations). */
  check (input: RuleInput, errors: FieldErrorCollector): undefined | string
}

export const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** `body.a.b.c`, or undefined when any step is not an object. */
export function at (body: unknown, ...path: string[]): unknown {
  let v: unknown = body
  for (const key of path) {
    const o = obj(v)
    if (!o) return undefined
    v = o[key]
  }
  return v
}

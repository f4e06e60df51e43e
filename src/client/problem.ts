import type { Problem } from './types.ts'

/**
 * A non-2xx answer from Ledgerite, carrying the parsed problem (`type`, `title`, `status`, `detail`, `trace_id`,
 * and `errors` for Invalid Parameters). The token endpoint answers OAuth errors (`error`, `error_description`);
 * those become a problem with `type` `urn:ietf:params:oauth:error:<error>`, `title` the error code and `detail`
 * its description.
 */
export class LedgeriteProblem extends Error implements Problem {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly trace_id: string
  readonly errors?: Record<string, string[]>
  /** Response headers (e.g. `retry-after` on 429). */
  readonly headers: Record<string, string>
  /** The request that was refused, as `METHOD /path`. */
  readonly request: string

  constructor (problem: Problem, request: string, headers: Record<string, string> = {}) {
    super(`${problem.status} ${problem.title}: ${problem.detail} (${request}${problem.trace_id ? `, trace ${problem.trace_id}` : ''})`)
    this.name = 'LedgeriteProblem'
    this.type = problem.type
    this.title = problem.title
    this.status = problem.status
    this.detail = problem.detail
    this.trace_id = problem.trace_id
    if (problem.errors) this.errors = problem.errors
    this.headers = headers
    this.request = request
  }

  /** The problem as a plain object (what the server sent). */
  toJSON (): Problem {
    return { type: this.type, title: this.title, status: this.status, detail: this.detail, trace_id: this.trace_id, ...(this.errors ? { errors: this.errors } : {}) }
  }
}

/** Builds the problem for a refused response whatever its body: problem+json, an OAuth error, or something else. */
export function problemFrom (status: number, statusText: string, body: unknown, traceId: string): Problem {
  const b = (body ?? {}) as Record<string, unknown>
  if (typeof b.type === 'string' && typeof b.title === 'string') {
    return {
      type: b.type,
      title: b.title,
      status: typeof b.status === 'number' ? b.status : status,
      detail: typeof b.detail === 'string' ? b.detail : '',
      trace_id: typeof b.trace_id === 'string' ? b.trace_id : traceId,
      ...(b.errors && typeof b.errors === 'object' ? { errors: b.errors as Record<string, string[]> } : {}),
    }
  }
  if (typeof b.error === 'string') {
    return {
      type: `urn:ietf:params:oauth:error:${b.error}`,
      title: b.error,
      status,
      detail: typeof b.error_description === 'string' ? b.error_description : b.error,
      trace_id: traceId,
    }
  }
  return { type: 'about:blank', title: statusText || `HTTP ${status}`, status, detail: `The server answered ${status} without a problem body.`, trace_id: traceId }
}

import type { Deps } from '../../deps.ts'
import { completeBankAuthorization, withAddedQuery } from '../connections/connection.authorization.ts'
import { type Connection, returnUriOf } from '../connections/connection.model.ts'
import { signLink } from './journey-links.ts'

/**
 * The journey's side of the bank step: the bank's redirect back (the callback) completes the connection through
 * its authorisation command (connections/connection.authorization.ts), and the browser goes to the result page
 * (a hosted page exists) or straight back to the client's return URI with the outcome.
 */
/** The result page link stays valid this long after the callback. */
const RESULT_LINK_MINUTES = 60

export interface CallbackOutcome {
  connection: Connection
  /** Where the browser goes next. */
  redirect: string
}

/**
 * The bank's redirect back: the connection's authorisation completes, and the answer is where the browser goes;
 * throws CallbackError (nothing changed) for a link that is incomplete, unknown, expired or already used.
 */
export async function completeBankCallback (deps: Deps, query: { state?: unknown, code?: unknown, error?: unknown }): Promise<CallbackOutcome> {
  const connection = await completeBankAuthorization(deps, query, { offerNextSteps: true })
  return { connection, redirect: nextStop(deps, connection, await deps.clock.now(connection.clientId)) }
}

/**
 * After the bank: the result page when the connection has a hosted page (configurations 1–4, and 5b with a result
 * page; for a failure the journey holds, it shows what the user can do next), otherwise straight back to the client's return URI with `connection_id` (and `error` on failure).
 */
function nextStop (deps: Deps, c: Connection, now: Date): string {
  if (c.hostedPage) {
    const link = signLink(deps.secret, 'result', c.id, new Date(now.getTime() + RESULT_LINK_MINUTES * 60_000))
    return `${deps.config.publicUrl}/data/${encodeURIComponent(c.id)}/result?l=${encodeURIComponent(link)}`
  }
  const returnUri = returnUriOf(c)
  if (!returnUri) throw new Error(`connection ${c.id} has neither a hosted page nor a return URI`)
  return withAddedQuery(returnUri, { connection_id: c.id, ...(c.status === 'failed' ? { error: c.failureReason ?? 'unknown' } : {}) })
}

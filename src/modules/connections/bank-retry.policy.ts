import { type Connection, configurationOf } from './connection.model.ts'
import { DECIDED_BY_LEDGERITE } from './connection.state.ts'

/**
 * What the hosted journey offers after the bank failed an attempt, in one place. With a next step the connection
 * is not failed yet (connection.lifecycle.ts `offerAnotherAttempt`, no webhook); without one it fails at once.
 *
 * - Only a connection whose journey Ledgerite hosts (`hosted_page.type = authorization_flow`, configurations 1–3)
 *   has a page to offer them on. Configurations 4, 5 and 5b go back to the client at once, as before, and so does
 *   the sandbox's `POST /sandbox/.../authorize` (it never asks).
 * - `try_again` (the same bank, straight back to it) where another attempt can succeed:
 *   - account_temporarily_locked, provider_error, internal_error: the bank's state may change;
 *   - wrong_credentials: the user may remember the right password or reset it;
 *   - user_input_required: the bank asks for something the user can give on the next attempt;
 *   - invalid_authorization_code: the code was expired or already used (a slow return, a double submit); a new
 *     attempt gets a new one.
 *   Not for provider_rejected (the user said no at the bank) or account_permanently_locked (it will fail again).
 * - `try_another_bank` when the user picked the bank on the hosted picker (configuration 1), for every reason the
 *   bank gives: the user may hold an account elsewhere. A preselected bank (configurations 2, 3) is the client's
 *   choice, which the journey cannot change.
 * Reasons Ledgerite's own pages decide (declining, expiry) are never the bank's and get nothing.
 */
export type NextStep = 'try_again' | 'try_another_bank'

const RETRYABLE: ReadonlySet<string> = new Set([
  'account_temporarily_locked', 'provider_error', 'internal_error', 'wrong_credentials', 'user_input_required', 'invalid_authorization_code',
])

export function nextStepsAfterBankFailure (c: Connection, reason: string): NextStep[] {
  if (c.hostedPage?.type !== 'authorization_flow' || DECIDED_BY_LEDGERITE.has(reason)) return []
  const steps: NextStep[] = []
  if (RETRYABLE.has(reason)) steps.push('try_again')
  if (configurationOf(c) === 1) steps.push('try_another_bank')
  return steps
}

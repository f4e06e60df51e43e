import { ApiError } from '../../contract/errors.ts'

/**
 * The connection's life, in one place. Every status change goes through `transition()`; a move not drawn here
 * is refused with 400 Invalid State.
 *
 * stateDiagram-v2
 *   [*] --> authorization_required: create (hosted_page.type = authorization_flow)
 *   [*] --> authorizing: create (root authorization_flow, or hosted_page.type = result_page)
 *   authorization_required --> authorizing: user leaves the hosted page for the bank
 *   authorizing --> authorizing: the provider is chosen (configurations 4, 5, 5b start here)
 *   authorization_required --> failed: user declines consent / journey link expires
 *   authorizing --> authorized: bank callback exchanged, accounts chosen
 *   authorizing --> failed: bank denied / error / code invalid
 *   authorizing --> authorization_required: retry_authorization (the bank's failure is held, see below)
 *   authorized --> revoked: DELETE /v3/data-connections/{id}
 *   authorized --> expired: consent or one-time access window ends
 *   authorization_required --> revoked
 *   authorizing --> revoked
 */
export const CONNECTION_STATUSES = ['authorization_required', 'authorizing', 'authorized', 'failed', 'revoked', 'expired'] as const
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number]

export type ConnectionEvent = 'start_bank_authorization' | 'choose_provider' | 'authorize' | 'fail' | 'retry_authorization' | 'revoke' | 'expire'

const TRANSITIONS: Record<ConnectionEvent, { from: readonly ConnectionStatus[], to: ConnectionStatus }> = {
  start_bank_authorization: { from: ['authorization_required'], to: 'authorizing' },
  choose_provider: { from: ['authorizing'], to: 'authorizing' },
  authorize: { from: ['authorizing'], to: 'authorized' },
  fail: { from: ['authorization_required', 'authorizing'], to: 'failed' },
  // A bank's failure the hosted journey can do something about ("Try again", "Try another bank"; bank-retry.policy.ts):
  // a `failed` connection is final (its webhook has gone out), so the connection goes back to waiting for the user
  // instead, with no webhook. The failure becomes final only when the user gives up or the journey link expires.
  retry_authorization: { from: ['authorizing'], to: 'authorization_required' },
  revoke: { from: ['authorization_required', 'authorizing', 'authorized'], to: 'revoked' },
  expire: { from: ['authorized'], to: 'expired' },
}

/** The status after `event`, or Invalid State if `from` does not allow it. */
export function transition (from: string, event: ConnectionEvent): ConnectionStatus {
  const t = TRANSITIONS[event]
  if (!(t.from as readonly string[]).includes(from)) {
    throw new ApiError('INVALID_STATE', `Status of the connection (${from}) does not allow this action (${event.replaceAll('_', ' ')}) to be executed.`)
  }
  return t.to
}

/** Failure stage reported in `connection_failed`: the status the connection was in when it failed. */
export type FailureStage = 'authorization_required' | 'authorizing'

/**
 * Failure reasons Ledgerite reports (`failure_reason`, a non-exhaustive string on the wire). One list, so the
 * journey, the sandbox and the docs agree.
 */
export const FAILURE_REASONS = {
  user_declined_consent: 'The user declined consent on the hosted page.',
  user_cancelled: 'The user cancelled at the bank.',
  provider_rejected: 'The bank rejected the authorisation (the user denied access).',
  journey_expired: 'The hosted-page link expired before the journey finished.',
  invalid_authorization_code: 'The bank returned a code that was invalid, expired or already used.',
  provider_error: 'The bank returned an error.',
  account_permanently_locked: 'The user\'s bank account is permanently locked (mock user error.account_permanently_locked).',
  account_temporarily_locked: 'The user\'s bank account is temporarily locked (mock user error.account_temporarily_locked).',
  internal_error: 'The bank had an internal error (mock user error.internal_error).',
  user_input_required: 'The bank needs more input from the user (mock user error.user_input_required).',
  wrong_credentials: 'The user could not sign in at the bank (mock user error.wrong_credentials).',
} as const

export type FailureReasonCode = keyof typeof FAILURE_REASONS

/**
 * Failure reasons Ledgerite's own pages decide, before or instead of the bank. Every other reason is a bank's
 * answer: the callback keeps one a bank sends back, and the sandbox reaches it by a trip to the bank.
 */
export const DECIDED_BY_LEDGERITE: ReadonlySet<string> = new Set<FailureReasonCode>(['user_declined_consent', 'user_cancelled', 'journey_expired'])

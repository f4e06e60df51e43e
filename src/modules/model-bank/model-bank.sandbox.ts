import type { Static } from '@sinclair/typebox'
import { type MockUser, unhandled } from './mock-users.ts'
import type { SandboxUserAnswer } from './model-bank.schema.ts'

/**
 * A mock user as the bank's sandbox lookup answers it: the only way what a mock user does reaches Ledgerite's
 * sandbox control, which knows no mock user itself. Exhaustive, so a new behaviour does not compile until it says
 * what it leads to.
 */
export function describeMockUser (u: MockUser): Static<typeof SandboxUserAnswer> {
  const b = u.behaviour
  switch (b.kind) {
    case 'example_data':
    case 'example_data_with_iban':
    case 'eternal':
      return { username: u.username, outcome: 'approves' }
    case 'data_calls_fail':
      return { username: u.username, outcome: 'data_calls_fail', reason: b.reason }
    case 'refused_at_sign_in':
      return { username: u.username, outcome: 'refused_at_sign_in', reason: b.reason }
    default:
      return unhandled(b)
  }
}

/**
 * The model bank's mock users, after the real sandbox's ("Mock users" in the README). One table, so the sign-in
 * page, the sandbox "approve as user" call and the docs agree.
 *
 * | username | password | outcome |
 * |---|---|---|
 * | `john` | `doe` | signs in; data reads succeed |
 * | `john1` … `john100` | `doe1` … `doe100` (same number) | signs in; each is a different synthetic customer |
 * | `john.million` | `doe` | signs in; the main current account holds over a million transactions |
 * | `error.<reason>` | anything | signs in and may approve, but every data read of its consent fails with `<reason>` |
 * | anything else | — | "wrong username or password"; the user may try again |
 *
 * `<reason>` is one of MOCK_ERROR_REASONS. Extra users the synthetic data declares are listed in `EXTRA_USERS`.
 */
import { LARGE_USERNAME } from './data/index.ts'

export const MOCK_ERROR_REASONS = [
  'account_permanently_locked',
  'account_temporarily_locked',
  'internal_error',
  'provider_error',
  'user_input_required',
  'wrong_credentials',
] as const
export type MockErrorReason = (typeof MOCK_ERROR_REASONS)[number]

export type MockUser =
  | { username: string, kind: 'customer' }
  | { username: string, kind: 'error', reason: MockErrorReason }

/** Users beyond john/johnN, with their password: the synthetic data's special customers. */
const EXTRA_USERS: Readonly<Record<string, string>> = Object.freeze({
  // Main current account with over a million transactions (paging and performance tests).
  [LARGE_USERNAME]: 'doe',
})

/** The expected password of a customer mock user, or undefined when the username is not a customer. */
function passwordOf (username: string): string | undefined {
  if (username === 'john') return 'doe'
  const m = /^john([1-9][0-9]?|100)$/.exec(username)
  if (m) return `doe${m[1]}`
  return Object.hasOwn(EXTRA_USERS, username) ? EXTRA_USERS[username] : undefined
}

/** The mock user a username names, whatever the password; undefined for an unknown username. */
export function mockUser (username: string): MockUser | undefined {
  if (username.startsWith('error.')) {
    const reason = username.slice('error.'.length)
    return (MOCK_ERROR_REASONS as readonly string[]).includes(reason)
      ? { username, kind: 'error', reason: reason as MockErrorReason }
      : undefined
  }
  return passwordOf(username) === undefined ? undefined : { username, kind: 'customer' }
}

/** Checks a sign-in: the user when the username exists and the password is right, undefined otherwise. */
export function signIn (username: string, password: string): MockUser | undefined {
  const user = mockUser(username)
  if (!user) return undefined
  if (user.kind === 'error') return user // "any password", as in the real sandbox
  return passwordOf(username) === password ? user : undefined
}

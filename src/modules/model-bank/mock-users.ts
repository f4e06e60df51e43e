/**
 * The model bank's mock users: the real sandbox's "Mock users" page, plus Ledgerite's own rows (README, "Mock
 * users", says which are extensions). One typed catalogue — username and password → behaviour — so the sign-in
 * page, the sandbox "approve as user" call, the bank's reads and the docs agree, and a new behaviour does not
 * compile until every switch over `MockBehaviour` handles it.
 *
 * | username | password | behaviour | |
 * |---|---|---|---|
 * | `john` … `john100` | `doe` … `doe100` (same number) | `example_data` | published |
 * | `john` … `john100` | `iban` … `iban100` (same number) | `example_data_with_iban`: every account also has a valid, distinct IBAN | published |
 * | `john` | `eternal` | `eternal`: example data; a consent extension would need no action | published |
 * | `error.<reason>` | `error` (any accepted) | `data_calls_fail`: signs in and approves; every data call fails with `<reason>` | published |
 * | `john.million` | `doe` | `example_data`, the main current account over a million transactions | extension |
 * | `login.<reason>` | anything | `refused_at_sign_in`: the bank ends the journey with `<reason>` | extension |
 * | anything else | — | "wrong username or password"; the user may try again | extension |
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

export const isMockErrorReason = (r: string): r is MockErrorReason => (MOCK_ERROR_REASONS as readonly string[]).includes(r)

/** What signing in as a mock user leads to. */
export type MockBehaviour =
  | { kind: 'example_data' }
  | { kind: 'example_data_with_iban' }
  /** The page ties `eternal` to consent extension: extending needs no action (the others: authentication_needed). */
  | { kind: 'eternal' }
  | { kind: 'data_calls_fail', reason: MockErrorReason }
  | { kind: 'refused_at_sign_in', reason: MockErrorReason }

/** What extending the consent would need (the page's `action_needed`), kept with the grant for consent extension. */
export type ExtensionAction = 'no_action_needed' | 'authentication_needed'

export interface MockUser {
  /** The username signed in with: whose example data the bank holds. */
  username: string
  /**
   * What the bank keeps on the consent (its `username` column): the username, followed by `#<variant>` when the
   * password chose a behaviour other than the username's default (`john7#iban`, `john#eternal`).
   */
  key: string
  behaviour: MockBehaviour
  /** False for the rows of the real "Mock users" page, true for Ledgerite's own. */
  extension: boolean
}

/** The number of `john`…`john100` ('' for john), or undefined for any other username. */
function johnNumber (username: string): string | undefined {
  if (username === 'john') return ''
  return /^john([1-9][0-9]?|100)$/.exec(username)?.[1]
}

const ERROR_PREFIX = 'error.'
const LOGIN_PREFIX = 'login.'

function reasonAfter (prefix: string, username: string): MockErrorReason | undefined {
  if (!username.startsWith(prefix)) return undefined
  const reason = username.slice(prefix.length)
  return isMockErrorReason(reason) ? reason : undefined
}

const user = (username: string, behaviour: MockBehaviour, extension: boolean, variant?: string): MockUser =>
  ({ username, key: variant ? `${username}#${variant}` : username, behaviour, extension })

/** Checks a sign-in: the mock user the username and password name, or undefined ("incorrect"). */
export function signIn (username: string, password: string): MockUser | undefined {
  const n = johnNumber(username)
  if (n !== undefined) {
    if (password === `doe${n}`) return user(username, { kind: 'example_data' }, false)
    if (password === `iban${n}`) return user(username, { kind: 'example_data_with_iban' }, false, 'iban')
    if (username === 'john' && password === 'eternal') return user(username, { kind: 'eternal' }, false, 'eternal')
    return undefined
  }
  if (username === LARGE_USERNAME) return password === 'doe' ? user(username, { kind: 'example_data' }, true) : undefined
  // The page lists the password `error`; any is accepted, so a test that signs in with its default still works.
  const failing = reasonAfter(ERROR_PREFIX, username)
  if (failing) return user(username, { kind: 'data_calls_fail', reason: failing }, false)
  const refused = reasonAfter(LOGIN_PREFIX, username)
  if (refused) return user(username, { kind: 'refused_at_sign_in', reason: refused }, true)
  return undefined
}

/** The password that signs `key`'s user in (the sandbox approval signs in without one). */
function passwordOfKey (key: string): string {
  const [username = '', variant] = key.split('#', 2)
  const n = johnNumber(username) ?? ''
  if (variant === 'iban') return `iban${n}`
  if (variant === 'eternal') return 'eternal'
  return username.startsWith(ERROR_PREFIX) ? 'error' : `doe${n}`
}

/** The mock user a consent's stored key names (MockUser.key); undefined for one the catalogue does not hold. */
export function mockUserOfKey (key: string): MockUser | undefined {
  const found = signIn(key.split('#', 2)[0] ?? '', passwordOfKey(key))
  return found && found.key === key ? found : undefined
}

/**
 * The mock user a sandbox approval names: a username (its default behaviour, as with the password `doe`…) or a
 * key with its variant (`john#iban`, `john#eternal`).
 */
export const mockUser = mockUserOfKey

/** What extending this user's consent would need: the page's `john`/`eternal` → no_action_needed, the rest authentication_needed. */
export function extensionActionOf (u: MockUser): ExtensionAction {
  switch (u.behaviour.kind) {
    case 'eternal':
      return 'no_action_needed'
    case 'example_data':
    case 'example_data_with_iban':
    case 'data_calls_fail':
    case 'refused_at_sign_in':
      return 'authentication_needed'
    default:
      return unhandled(u.behaviour)
  }
}

/** For exhaustive switches over MockBehaviour: a behaviour added to the union fails to compile here. */
export function unhandled (b: never): never {
  throw new Error(`mock user behaviour not handled: ${JSON.stringify(b)}`)
}

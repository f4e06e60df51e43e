/**
 * What sandbox control needs from a bank beyond the provider adapter: to approve or deny a consent as one of the
 * bank's test users without a browser, and to learn what signing in as one leads to. Only a sandbox bank offers
 * this (the model bank implements it over HTTP: model-bank.sandbox-bank.ts); the wiring (deps.ts) picks the
 * implementation, and without one sandbox authorisation answers Not Implemented.
 */
export interface SandboxBank {
  /** What signing in as `username` leads to, as the bank says; undefined when the bank has no such user. */
  describeUser (input: { providerId: string, clientToken: string, username: string }): Promise<SandboxUser | undefined>
  /**
   * Approve (or deny) the consent as `username`, with all their accounts unless `accountIds` is given. Answers where
   * the bank would have sent the browser: the consent's redirect URI with code and state, or with error.
   * `clientToken`: a `data` token of the Ledgerite client the consent was made for; the bank accepts no other.
   */
  approveAsUser (input: {
    providerId: string, consentId: string, clientToken: string, username: string, decision: 'allow' | 'deny', accountIds?: string[]
  }): Promise<{ redirectUri: string }>
}

/** A bank's test user: approves (its data readable), approves but every data call fails, or is refused at sign-in. */
export type SandboxUser =
  | { username: string, outcome: 'approves' }
  | { username: string, outcome: 'data_calls_fail' | 'refused_at_sign_in', reason: string }

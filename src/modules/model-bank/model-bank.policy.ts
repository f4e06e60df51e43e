/**
 * The model bank's own durations. A bank decides these for itself: they match Ledgerite's defaults
 * (connections/connection.policy.ts) so a sandbox journey behaves as documented, but the bank reads none of
 * Ledgerite's settings, as a real bank would not.
 */
export const BANK_POLICY = {
  /** How long a consent may wait for the user before it can no longer be authorised. */
  authorizeWithinHours: 24,
  /** The bank's consent (and its access token) lasts this long once authorised, whatever the access type. */
  consentDays: 90,
  /** An authorisation code is valid this long, and once. */
  codeTtlMinutes: 10,
} as const

/**
 * Durations the contract leaves open, chosen here and documented in docs/behaviour-notes.md. One place, so a
 * change is one line.
 */
export const POLICY = {
  /** Recurring access: consent valid 90 days from authorisation (PSD2 reconfirmation interval). */
  consentValidityDays: 90,
  /** One-time access: data may be read for this long after authorisation, then the connection expires. */
  oneTimeAccessWindowMinutes: 60,
  /** A hosted-page link must reach the bank step within this time. */
  journeyLinkTtlHours: 24,
} as const

export function accessExpiresAt (authorizedAt: Date, dataAccessType: string): Date {
  const ms = dataAccessType === 'one_time'
    ? POLICY.oneTimeAccessWindowMinutes * 60_000
    : POLICY.consentValidityDays * 86_400_000
  return new Date(authorizedAt.getTime() + ms)
}

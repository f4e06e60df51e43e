/**
 * What can go wrong on a hosted page, as the person in front of it should hear it. Each problem renders the
 * error template in the page's language with a fitting status; nothing internal (stack, SQL, ids) is shown.
 */
export type JourneyProblem = 'invalid' | 'expired' | 'used' | 'form' | 'state' | 'provider' | 'bank' | 'generic'

const STATUS: Record<JourneyProblem, number> = {
  invalid: 404, // unknown connection, tampered token or link: not found, so a guess learns nothing
  expired: 410,
  used: 410,
  form: 403, // CSRF token or Origin refused
  state: 409,
  provider: 400,
  bank: 502,
  generic: 500,
}

export class JourneyPageError extends Error {
  readonly status: number
  constructor (
    readonly problem: JourneyProblem,
    readonly languageCode?: string | null,
    /** For an ended journey: the way back to the client, so the user is not stranded. */
    readonly way?: { clientName: string, continueHref: string | undefined },
    status?: number,
  ) {
    super(`hosted page: ${problem}`)
    this.name = 'JourneyPageError'
    this.status = status ?? STATUS[problem]
  }
}

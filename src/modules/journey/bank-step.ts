import { ApiError } from '../../contract/errors.ts'
import type { Deps } from '../../deps.ts'
import type { Connection } from '../connections/connection.model.ts'

/**
 * The bank step of the journey: hand the user to the bank (begin), and take them back (callback route).
 * Being implemented; the signatures are fixed.
 */
export async function beginBankAuthorization (
  _deps: Deps,
  _input: { connection: Connection, providerId: string, now: Date },
): Promise<{ uri: string }> {
  throw new ApiError('NOT_IMPLEMENTED', 'The bank step is not implemented yet.')
}

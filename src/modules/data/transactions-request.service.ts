import { FieldErrorCollector } from '../../contract/errors.ts'
import { ids } from '../../contract/ids.ts'
import type { Deps } from '../../deps.ts'
import type { DataAccess } from './access-guard.ts'
import { unwrapCursor } from './transactions-cursor.ts'
import { insertTransactionsRequest } from './transactions-request.repository.ts'

/** Bounds on a transactions request's dates (behaviour notes): nothing before this day is asked of a bank. */
export const EARLIEST_DATE = '2000-01-01'
/** `to` may run this many days past the client's today (a user a time zone ahead is already in tomorrow). */
export const MAX_DAYS_AHEAD = 1

export interface TransactionsRequestInput {
  from: string
  to: string
  page_size: number
  cursor?: string | undefined
  enrichment?: { transaction_category: true, merchant_name: true } | undefined
}

export interface PreparedRequest {
  accountId: string
  input: TransactionsRequestInput
  bankCursor: string | null
  /** The virtual "today" the bank will be read at: the client's now, or the first page's for a cursor. */
  asOf: Date
}

const day = (d: Date): string => d.toISOString().slice(0, 10)

/**
 * Checks what the schema cannot (date order and bounds against the client's clock, the cursor's origin), naming
 * every field at fault at once. Runs before the call is counted, so a refused body costs no unattended call.
 */
export function prepareTransactionsRequest (
  deps: Pick<Deps, 'secret'>,
  access: DataAccess,
  accountId: string,
  input: TransactionsRequestInput,
): PreparedRequest {
  const errors = new FieldErrorCollector()
  const today = day(access.now)
  const latest = day(new Date(access.now.getTime() + MAX_DAYS_AHEAD * 86_400_000))
  if (input.from < EARLIEST_DATE) errors.add('from', `must be on or after ${EARLIEST_DATE}`)
  if (input.to > latest) errors.add('to', `must not be after ${latest} (today is ${today} on this client's clock)`)
  if (input.to < input.from) errors.add('to', `must be on or after from (${input.from}); both dates are inclusive`)

  let bankCursor: string | null = null
  let asOf = access.now
  if (input.cursor !== undefined) {
    const unwrapped = unwrapCursor(deps.secret, input.cursor, { connectionId: access.connection.id, accountId, from: input.from, to: input.to })
    if ('problem' in unwrapped) errors.add('cursor', unwrapped.problem)
    else {
      bankCursor = unwrapped.state.bankCursor
      asOf = new Date(unwrapped.state.asOf)
    }
  }
  errors.throwIfAny()
  return { accountId, input, bankCursor, asOf }
}

/** Stores the request as pending; the worker reads the bank. Returns its id. */
export async function createTransactionsRequest (deps: Pick<Deps, 'db'>, access: DataAccess, prepared: PreparedRequest): Promise<string> {
  const id = ids.uuid()
  await insertTransactionsRequest(deps.db, {
    id,
    clientId: access.connection.clientId,
    connectionId: access.connection.id,
    accountId: prepared.accountId,
    from: prepared.input.from,
    to: prepared.input.to,
    pageSize: Math.min(500, prepared.input.page_size),
    bankCursor: prepared.bankCursor,
    enrichment: prepared.input.enrichment !== undefined,
    asOf: prepared.asOf,
    now: access.now,
  })
  return id
}

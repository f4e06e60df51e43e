/** Errors the bank layer turns into HTTP answers (404 for an unknown account, 400 for a bad query or cursor). */
export class UnknownAccountError extends Error {
  constructor (readonly accountId: string) {
    super(`No account ${accountId} for this customer.`)
    this.name = 'UnknownAccountError'
  }
}

export class InvalidQueryError extends Error {
  constructor (readonly field: 'from' | 'to' | 'pageSize' | 'cursor' | 'asOf', message: string) {
    super(message)
    this.name = 'InvalidQueryError'
  }
}

/** A cursor that this bank did not issue for this account and date range. */
export class InvalidCursorError extends InvalidQueryError {
  constructor (message = 'The cursor is not valid for this account and date range.') {
    super('cursor', message)
    this.name = 'InvalidCursorError'
  }
}

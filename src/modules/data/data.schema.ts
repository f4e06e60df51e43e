import { Type } from '@sinclair/typebox'
import { problemSchema } from '../../contract/problem.ts'
import { REQUEST_LIMITS as L } from '../../http/request-limits.ts'
import type { HintFn } from '../../http/validation.ts'

/**
 * Route schemas of the data endpoints, as the published description has them (parameters, bodies, 2xx shapes).
 * Headers, query strings and params are coerced text; bodies are strict (unknown fields refused).
 * Two routes are Ledgerite extensions, marked `x-ledgerite-extension` and said so in their descriptions.
 */

const Problem = problemSchema

/** The refusals every published data operation lists, with what each means here. */
const PROBLEMS = {
  400: Problem('Invalid Parameters (naming each field or header at fault), or Invalid State (the connection is not authorised).'),
  401: Problem('Unauthenticated: no valid bearer token.'),
  403: Problem('Forbidden: the token lacks the data scope, the connection lacks the scope this endpoint needs, or its consent expired, was revoked, or its one-time access window closed.'),
  404: Problem('Not Found: no such connection for this client, or an account the user did not share.'),
  429: Problem('Rate Limit Exceeded: without Tl-User-IP, 4 calls per connection and endpoint in a rolling 24 hours (Retry-After, RateLimit-* headers).'),
  500: Problem('Unknown Error.'),
  502: Problem('Provider Error: the bank could not answer.'),
  504: Problem('Gateway Timeout: the bank did not answer in time.'),
}

/** Path ids: accounts and connections (ours are at most 36 characters). */
const Id = Type.String({ maxLength: L.idLength })

const TL_USER_IP = Type.Optional(Type.String({
  maxLength: L.headerLength,
  description: 'The end user\'s IP address (the first of a comma-separated list is used). Lifts the limit of ' +
    '4 unattended calls per connection and endpoint in 24 hours; an invalid address is refused.',
}))

const withConnectionHeader = Type.Object({
  'connection-id': Type.String({ minLength: 1, maxLength: L.idLength, description: 'The unique identifier of the data connection.' }),
  'tl-user-ip': TL_USER_IP,
})
const ipOnly = Type.Object({ 'tl-user-ip': TL_USER_IP })

/** `Connection-Id` missing or empty: the contract's own message. */
export const connectionHeaderHint: HintFn = (field, err) =>
  field === 'Connection-Id' && (err.keyword === 'required' || err.keyword === 'minLength') ? 'Must be provided' : undefined

const DATE_HINT = 'must be a date in YYYY-MM-DD format'
/** Teaching messages for the transactions request body. */
export const transactionsRequestHints: HintFn = (field, err, data) => {
  if ((field === 'from' || field === 'to') && (err.keyword === 'format' || err.keyword === 'type')) return DATE_HINT
  if (field.startsWith('enrichment') && (err.keyword === 'const' || err.keyword === 'enum' || err.keyword === 'required')) {
    return 'both transaction_category and merchant_name must be true (individual enrichments are not supported); omit enrichment to get none'
  }
  return connectionHeaderHint(field, err, data)
}

const Transaction = Type.Object({
  id: Type.String(),
  timestamp: Type.String({ format: 'date-time' }),
  description: Type.String(),
  currency: Type.Union([Type.Literal('GBP'), Type.Literal('EUR')]),
  amount_in_minor: Type.Integer({ description: 'Negative for debits.' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('settled')]),
  enrichment: Type.Optional(Type.Object({
    merchant_name: Type.Optional(Type.String()),
    transaction_category: Type.Optional(Type.Object({ category_code: Type.String(), category_name: Type.String() })),
  }, { description: 'Present only when enrichment was requested.' })),
})

const AccountIdentifier = Type.Union([
  Type.Object({ type: Type.Literal('sort_code_account_number'), sort_code: Type.String(), account_number: Type.String() }),
  Type.Object({ type: Type.Literal('iban'), iban: Type.String() }),
])

const Account = Type.Object({
  id: Type.String(),
  type: Type.Literal('account'),
  currency: Type.Union([Type.Literal('GBP'), Type.Literal('EUR')]),
  account_type: Type.Union([Type.Literal('current'), Type.Literal('savings')]),
  customer_segment: Type.Union([Type.Literal('retail'), Type.Literal('business')]),
  account_identifiers: Type.Array(AccountIdentifier),
  bic: Type.Optional(Type.String()),
  account_holder_names: Type.Array(Type.String()),
})
const Card = Type.Object({ id: Type.String(), type: Type.Literal('card') })

const requestPending = Type.Object({ id: Type.String({ format: 'uuid' }), status: Type.Literal('pending') })

export const userInfoSchema = {
  tags: ['Connection Management'],
  summary: 'Get User Info',
  description: 'The name the bank holds for the user. Needs the `info` scope.',
  params: Type.Object({ connection_id: Id }),
  headers: ipOnly,
  response: { 200: Type.Object({ name: Type.String() }), ...PROBLEMS },
}

export const connectedAccountsSchema = {
  tags: ['Accounts'],
  summary: 'Get Connected Accounts',
  description: 'The accounts and cards the user chose to share, at most 50, ordered by `type` then `id`. Needs the `accounts` scope.',
  headers: withConnectionHeader,
  querystring: Type.Object({
    cursor: Type.Optional(Type.String({ maxLength: L.cursorLength, description: 'Accepted, no effect yet (as published).' })),
    // A plain string enum, so a wrong value is answered with the values that exist.
    type: Type.Optional(Type.Unsafe<'account' | 'card'>({ type: 'string', enum: ['account', 'card'], description: 'Only accounts, or only cards.' })),
  }),
  response: {
    200: Type.Object({
      items: Type.Array(Type.Union([Account, Card]), { maxItems: 50 }),
      pagination: Type.Object({ next_cursor: Type.Optional(Type.String()) }),
    }),
    ...PROBLEMS,
  },
}

export const createTransactionsRequestSchema = {
  tags: ['Accounts'],
  summary: 'Create a Transactions Request',
  description: 'Starts an asynchronous read of an account\'s transactions over an inclusive date range; poll the ' +
    'returned id. `from` may not be before 2000-01-01, `to` not after the day after today (the client\'s clock). ' +
    'Needs the `transactions` scope.',
  params: Type.Object({ account_id: Id }),
  headers: withConnectionHeader,
  body: Type.Object({
    from: Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive.' }),
    to: Type.String({ format: 'date', description: 'YYYY-MM-DD, inclusive; on or after `from`.' }),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: L.cursorLength, description: 'The `next_cursor` of the previous page, with the same `from` and `to`.' })),
    page_size: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    enrichment: Type.Optional(Type.Object({
      transaction_category: Type.Literal(true),
      merchant_name: Type.Literal(true),
    }, { additionalProperties: false, description: 'Both must be true; individual enrichments are not supported.' })),
  }, { additionalProperties: false }),
  response: { 202: requestPending, ...PROBLEMS },
}

export const getTransactionsRequestSchema = {
  tags: ['Accounts'],
  summary: 'Get a Transactions Request',
  description: 'pending, completed (the stored page; the same on every read) or failed. Reading does not count ' +
    'towards the unattended-access limit.',
  params: Type.Object({ account_id: Id, request_id: Type.String({ format: 'uuid', maxLength: 36 }) }),
  headers: withConnectionHeader,
  response: {
    200: Type.Union([
      Type.Object({
        id: Type.String(),
        status: Type.Literal('completed'),
        result: Type.Object({
          items: Type.Array(Transaction),
          pagination: Type.Object({ next_cursor: Type.Optional(Type.String({ description: 'On every non-empty page. Absent on the empty page that follows the last item: the walk is over.' })) }),
        }),
      }),
      requestPending,
      Type.Object({ id: Type.String(), status: Type.Literal('failed'), failure_reason: Type.String() }),
    ]),
    ...PROBLEMS,
  },
}

export const balanceSchema = {
  'x-ledgerite-extension': true,
  tags: ['Accounts'],
  summary: 'Get an account\'s balance (Ledgerite extension)',
  description: 'Extension: not in the published contract, which defines the `balance` scope but no endpoint. ' +
    'Amounts are integers in the currency\'s minor unit, like `amount_in_minor`. Needs the `balance` scope.',
  params: Type.Object({ account_id: Id }),
  headers: withConnectionHeader,
  response: {
    200: Type.Object({
      currency: Type.Union([Type.Literal('GBP'), Type.Literal('EUR')]),
      current: Type.Integer({ description: 'Minor units.' }),
      available: Type.Integer({ description: 'Minor units: current, less pending debits, plus the arranged overdraft.' }),
      overdraft: Type.Integer({ description: 'Arranged overdraft (a card: its credit limit), minor units.' }),
      update_timestamp: Type.String({ format: 'date-time' }),
    }),
    ...PROBLEMS,
  },
}

export const revokeConnectionSchema = {
  'x-ledgerite-extension': true,
  tags: ['Connection Management'],
  summary: 'Revoke a connection (Ledgerite extension)',
  description: 'Extension: not in the published contract. Ends the connection (status `revoked`, webhook ' +
    '`connection_revoked`) and the bank\'s consent; later data calls answer 403. Revoking a revoked connection ' +
    'answers 204 again.',
  params: Type.Object({ connection_id: Id }),
  response: { 204: Type.Null({ description: 'Revoked.' }), 400: PROBLEMS[400], 401: PROBLEMS[401], 403: PROBLEMS[403], 404: PROBLEMS[404], 500: PROBLEMS[500] },
}

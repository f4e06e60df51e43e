import { Type } from '@sinclair/typebox'
import { CONNECTION_SCOPES } from '../../contract/scopes.ts'
import { CHALLENGE_PATTERN } from './model-bank.security.ts'

/** The model bank's JSON API schemas. The whole /model-bank surface is a Ledgerite extension (a simulated bank). */
const EXT = { 'x-ledgerite-extension': true, tags: ['Model bank'] }

export const ProviderParams = Type.Object({
  provider_id: Type.String({ minLength: 1, maxLength: 100, description: 'Any provider of the catalogue: the model bank serves them all.' }),
})

export const CreateConsentBody = Type.Object({
  scopes: Type.Array(Type.Union(CONNECTION_SCOPES.map((s) => Type.Literal(s))), { minItems: 1, uniqueItems: true }),
  data_access_type: Type.Union([Type.Literal('one_time'), Type.Literal('recurring')]),
  redirect_uri: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000, description: 'Where the bank sends the browser back with `code` and `state` (or `error`): one of the redirect URIs registered for the caller.' }),
  state: Type.String({ minLength: 16, maxLength: 512 }),
  code_challenge: Type.String({ pattern: CHALLENGE_PATTERN.source, description: 'PKCE S256 challenge (base64url SHA-256 of the verifier).' }),
  code_challenge_method: Type.Literal('S256'),
  client_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The name of the caller\'s own client the consent is for, shown to the user on the bank\'s page; default: the caller\'s registered name. Taken from authenticated callers only.' })),
  owner_client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'The caller\'s own client the consent is for (Ledgerite: its client id): the one whose token the sandbox approval accepts.' })),
  language_code: Type.Optional(Type.String({ pattern: '^[a-z]{2}$' })),
  connection_ref: Type.Optional(Type.String({ maxLength: 100, description: 'The caller\'s reference, echoed; not a credential.' })),
}, { additionalProperties: false })

export const ConsentCreated = Type.Object({
  consent_id: Type.String(),
  status: Type.Literal('awaiting_authorization'),
  authorization_uri: Type.String({ description: 'The bank\'s sign-in page, for the user\'s browser.' }),
  created_at: Type.String(),
  authorize_by: Type.String(),
})

export const createConsentSchema = {
  ...EXT,
  summary: 'Create an account-access consent (model bank)',
  description: 'Ledgerite extension: the simulated bank behind every sandbox provider, shaped like a UK Open Banking ' +
    'account-access-consents resource. Server-to-server, for registered callers (HTTP Basic client credentials); the browser is ' +
    'then sent to `authorization_uri`.',
  params: ProviderParams,
  body: CreateConsentBody,
  response: { 201: ConsentCreated },
}

export const tokenSchema = {
  ...EXT,
  summary: 'Exchange an authorization code (model bank)',
  description: 'Ledgerite extension. HTTP Basic client credentials; `grant_type=authorization_code` with `code`, `code_verifier` ' +
    '(PKCE S256) and the consent\'s `redirect_uri`; form or JSON. A code works once, for 10 minutes; presented again, it revokes ' +
    'the token issued for it. Errors: `{error, error_description}`.',
  params: ProviderParams,
}

const AsOf = Type.Optional(Type.String({ format: 'date-time', description: 'The caller\'s "today" (ISO); the synthetic data is anchored to it.' }))
export const ReadQuery = Type.Object({ as_of: AsOf })
export const AccountParams = Type.Object({ provider_id: ProviderParams.properties.provider_id, account_id: Type.String({ minLength: 1, maxLength: 100 }) })
export const TransactionsQuery = Type.Object({
  from: Type.String({ format: 'date' }),
  to: Type.String({ format: 'date' }),
  page_size: Type.Integer({ minimum: 1, maximum: 500, default: 500 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
  as_of: AsOf,
})

export const readSchema = (summary: string, extra: object = {}) => ({
  ...EXT,
  summary,
  description: 'Ledgerite extension (model bank). `Authorization: Bearer <bank token>` and the caller\'s client credentials ' +
    '(HTTP Basic) in `X-Client-Authorization`: a token works only for the caller it was issued to. Only the accounts the user ' +
    'chose; a revoked consent answers 403 `access_denied`.',
  ...extra,
})

export const SandboxAuthorizeBody = Type.Object({
  consent_id: Type.String({ minLength: 1, maxLength: 100 }),
  username: Type.String({ minLength: 1, maxLength: 100 }),
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  account_ids: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
}, { additionalProperties: false })

export const sandboxAuthorizeSchema = {
  ...EXT,
  summary: 'Approve or deny a consent as a mock user, without a browser (model bank, sandbox only)',
  description: 'Ledgerite extension for sandbox control: does what the sign-in and account pages do for `username` ' +
    '(all accounts unless `account_ids` is given) and answers where the bank would send the browser. Needs the `data` token ' +
    'of the Ledgerite client the consent was made for (another client\'s consent is 404). Absent (404) when the server runs ' +
    'with SANDBOX_CONTROL=off.',
  params: ProviderParams,
  body: SandboxAuthorizeBody,
  // Ledgerite's own token, checked in onRequest (model-bank.routes.ts), as on every sandbox control route.
  security: [{ OAuth2: ['data'] }],
}

export const SandboxUserParams = Type.Object({
  provider_id: ProviderParams.properties.provider_id,
  username: Type.String({ minLength: 1, maxLength: 100, description: 'A mock user\'s username, or its key with a variant (`john#iban`).' }),
})

export const SandboxUserAnswer = Type.Object({
  username: Type.String(),
  outcome: Type.Union([Type.Literal('approves'), Type.Literal('data_calls_fail'), Type.Literal('refused_at_sign_in')], {
    description: '`approves`: signs in and approves, its data readable; `data_calls_fail`: approves, then every data call fails ' +
      'with `reason`; `refused_at_sign_in`: the bank ends the journey with `reason`.',
  }),
  reason: Type.Optional(Type.String({ description: 'The error code the bank answers with (data_calls_fail, refused_at_sign_in).' })),
})

export const sandboxUserSchema = {
  ...EXT,
  summary: 'What signing in as a mock user leads to (model bank, sandbox only)',
  description: 'Ledgerite extension for sandbox control: how the bank treats `username`, so a caller can choose a sandbox ' +
    'outcome without knowing the bank\'s catalogue of mock users. 404 `unknown_user` for a name the bank does not hold. ' +
    'Needs a Ledgerite `data` token, as the sandbox approval does. Absent (404) when the server runs with SANDBOX_CONTROL=off.',
  params: SandboxUserParams,
  response: { 200: SandboxUserAnswer },
  security: [{ OAuth2: ['data'] }],
}

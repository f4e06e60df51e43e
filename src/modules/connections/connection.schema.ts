import { type Static, type TObject, Type } from '@sinclair/typebox'
import { problemSchema } from '../../contract/problem.ts'
import { CONNECTION_SCOPES } from '../../contract/scopes.ts'
import { REQUEST_LIMITS as L } from '../../http/request-limits.ts'
import { StringEnum } from '../../http/string-enum.ts'
import { CUSTOMER_SEGMENTS, FILTER_COUNTRIES, RELEASE_CHANNELS } from '../providers/provider.filter.ts'
import { CONNECTION_STATUSES } from './connection.state.ts'

/**
 * The wire shape of create-connection and of the connection read extensions, as TypeBox schemas: the request is
 * validated against these (strictly: no unknown field anywhere, every problem reported), the responses are
 * serialised through them, and /openapi.json is generated from them. Cross-field rules live in rules/.
 */


/**
 * A union discriminated by `type` (Ajv `discriminator`). `type` is also declared on the union itself, so a missing
 * or unknown `type` is reported on `<field>.type` with the values that exist, next to the body's other problems.
 */
function ByType<A extends TObject, B extends TObject> (a: A, b: B, options: Record<string, unknown> = {}) {
  const values = [a, b].map((s) => (s.properties.type as unknown as { const: string }).const)
  return Type.Unsafe<Static<A> | Static<B>>({
    type: 'object',
    required: ['type'],
    properties: { type: { type: 'string', enum: values } },
    discriminator: { propertyName: 'type' },
    oneOf: [a, b],
    ...options,
  })
}

const strict = { additionalProperties: false } as const

const ProviderId = Type.String({ minLength: 1, maxLength: L.idLength })

export const ProviderFilterSchema = Type.Object({
  countries: Type.Optional(Type.Array(StringEnum(FILTER_COUNTRIES), { minItems: 1, maxItems: L.listItems, uniqueItems: true, description: 'Only providers from these countries.' })),
  release_channel: Type.Optional(StringEnum(RELEASE_CHANNELS, {
    description: 'Lowest stability shown: private_beta adds private-beta providers to general-availability ones; public_beta adds both.',
    default: 'general_availability',
  })),
  customer_segments: Type.Optional(Type.Array(StringEnum(CUSTOMER_SEGMENTS), { minItems: 1, maxItems: L.listItems, uniqueItems: true, description: 'Default ["retail"].' })),
  provider_ids: Type.Optional(Type.Array(ProviderId, { minItems: 1, maxItems: L.listItems, uniqueItems: true, description: `Providers to include beyond the filters (at most ${L.listItems}).` })),
  excludes: Type.Optional(Type.Object({
    provider_ids: Type.Optional(Type.Array(ProviderId, { minItems: 1, maxItems: L.listItems, uniqueItems: true })),
  }, strict)),
}, strict)

const ProviderSelectionSchema = ByType(
  Type.Object({ type: Type.Literal('preselected'), provider_id: ProviderId }, { ...strict, title: 'Preselected' }),
  Type.Object({ type: Type.Literal('user_selected'), filter: Type.Optional(ProviderFilterSchema) }, { ...strict, title: 'User selected' }),
)

/** E.164 as the ITU recommends: `+`, the country calling code, the number; digits only. */
export const PHONE_PATTERN = '^\\+[1-9][0-9]{6,14}$'

const UserSchema = Type.Object({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Kept if given; generated otherwise.' })),
  name: Type.Optional(Type.String({ pattern: '^[^()]+$', maxLength: 256, description: 'Full first and last name, no parentheses.' })),
  email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
  phone: Type.Optional(Type.String({ pattern: PHONE_PATTERN })),
}, strict)

const UserConsentSchema = ByType(
  // captured_at is checked by rules/captured-at.ts (RFC 3339, UTC, not in the future) so the message can say which.
  Type.Object({ type: Type.Literal('precaptured'), captured_at: Type.String({ maxLength: L.timestampLength, description: 'RFC 3339, UTC, not in the future.' }) }, { ...strict, title: 'Pre-captured' }),
  Type.Object({ type: Type.Literal('authorization_flow_captured') }, { ...strict, title: 'Authorization flow captured' }),
)

const ReturnUri = Type.String({ minLength: 1, maxLength: 2048, description: 'Must be registered for the client (Console: redirect URIs).' })
const CountryCode = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2.' })
const LanguageCode = Type.String({ pattern: '^[a-z]{2}$', description: 'ISO 639-1.' })

const HostedPageSchema = ByType(
  // The page gives every hosted page a return_uri; the OpenAPI's result_page has none and uses the root
  // authorization_flow's. Both shapes are accepted; rules/result-page-return-uri.ts requires one of the two.
  // country_code chooses the banks shown first, so only the authorization_flow page takes it (as in the OpenAPI).
  Type.Object({
    type: Type.Literal('result_page'),
    return_uri: Type.Optional(ReturnUri),
    language_code: Type.Optional(LanguageCode),
  }, { ...strict, title: 'Result page' }),
  Type.Object({
    type: Type.Literal('authorization_flow'),
    return_uri: ReturnUri,
    country_code: Type.Optional(CountryCode),
    language_code: Type.Optional(LanguageCode),
  }, { ...strict, title: 'Authorization flow' }),
)

const AuthorizationFlowSchema = Type.Object({
  redirect: Type.Object({ return_uri: ReturnUri }, strict),
}, { ...strict, description: 'Your own UI redirects the user to the bank. Not with hosted_page.type=authorization_flow.' })

export const CreateConnectionBody = Type.Object({
  // Duplicates are accepted and removed (the published schema does not forbid them); see docs/behaviour-notes.md.
  scopes: Type.Array(StringEnum(CONNECTION_SCOPES), { minItems: 1, maxItems: L.scopes }),
  provider_selection: ProviderSelectionSchema,
  user: UserSchema,
  // Key count, key length and value length are checked by rules/metadata.ts, which names the key at fault.
  metadata: Type.Optional(Type.Object({}, { additionalProperties: Type.String() })),
  user_consent: UserConsentSchema,
  hosted_page: Type.Optional(HostedPageSchema),
  authorization_flow: Type.Optional(AuthorizationFlowSchema),
  data_access_type: Type.Optional(StringEnum(['one_time', 'recurring'] as const, { default: 'recurring' })),
}, strict)
export type CreateConnectionBody = Static<typeof CreateConnectionBody>

// ---- responses ----

const WireProviderSchema = Type.Object({
  id: Type.String(), display_name: Type.String(), icon_uri: Type.String(), logo_uri: Type.String(), bg_color: Type.String(),
})

/**
 * 201: `{id, user: {id}, status: "authorization_required", hosted_page: {uri}}` or `{id, user: {id},
 * status: "authorizing", authorization_flow: {actions: {next}}}`. One object schema with the branch members optional
 * (the presenter makes exactly one shape), so serialisation stays a plain compiled stringify.
 */
export const CreatedConnectionSchema = Type.Object({
  id: Type.String(),
  user: Type.Object({ id: Type.String() }),
  status: StringEnum(['authorization_required', 'authorizing'] as const),
  hosted_page: Type.Optional(Type.Object({ uri: Type.String() })),
  authorization_flow: Type.Optional(Type.Object({
    actions: Type.Object({
      next: Type.Object({
        type: StringEnum(['redirect', 'provider_selection'] as const),
        uri: Type.Optional(Type.String()),
        providers: Type.Optional(Type.Array(WireProviderSchema)),
      }),
    }),
  })),
})
export type CreatedConnection = Static<typeof CreatedConnectionSchema>

/** GET /v3/data-connections/{id} (extension). Members appear once they have a value. */
export const ConnectionViewSchema = Type.Object({
  id: Type.String(),
  status: StringEnum(CONNECTION_STATUSES),
  user: Type.Object({
    id: Type.String(),
    name: Type.Optional(Type.String()),
    email: Type.Optional(Type.String()),
    phone: Type.Optional(Type.String()),
  }),
  scopes: Type.Array(Type.String()),
  data_access_type: StringEnum(['one_time', 'recurring'] as const),
  metadata: Type.Optional(Type.Object({}, { additionalProperties: Type.String() })),
  provider: Type.Optional(Type.Object({ provider_id: Type.String(), display_name: Type.String() })),
  created_at: Type.String(),
  authorized_at: Type.Optional(Type.String()),
  access_expires_at: Type.Optional(Type.String()),
  consent_expires_at: Type.Optional(Type.String({ description: 'The same instant as access_expires_at, under the name clients of this endpoint read.' })),
  failed_at: Type.Optional(Type.String()),
  failure_stage: Type.Optional(Type.String()),
  failure_reason: Type.Optional(Type.String()),
  revoked_at: Type.Optional(Type.String()),
  expired_at: Type.Optional(Type.String()),
})
export type ConnectionView = Static<typeof ConnectionViewSchema>

export const ConnectionListSchema = Type.Object({
  items: Type.Array(ConnectionViewSchema),
  pagination: Type.Object({ next_cursor: Type.Union([Type.String(), Type.Null()]) }),
})

export const ConnectionParams = Type.Object({ connection_id: Type.String({ minLength: 1, maxLength: 128 }) })

export const ListConnectionsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512 })),
  status: Type.Optional(StringEnum(CONNECTION_STATUSES)),
}, strict)


/** Create-connection's optional headers, as published: "only considered if the authorization_flow object … is specified". */
export const CreateConnectionHeaders = Type.Object({
  'tl-user-ip': Type.Optional(Type.String({ maxLength: L.headerLength, description: 'The end user\'s IP address (the first of a comma-separated list is used). Stored with the connection when authorization_flow is given; an invalid address is then refused.' })),
  'x-device-user-agent': Type.Optional(Type.String({ maxLength: L.headerLength, description: 'The end user\'s device user agent (falls back to User-Agent). Stored when authorization_flow is given.' })),
})

const Problem = problemSchema

/** The refusals of create-connection, as the contract lists them, with what each means here. */
export const CREATE_PROBLEMS = {
  400: Problem('Invalid Parameters: every problem of the body (and of Tl-User-IP) at once, each field named, with a hint where a mistake is likely.'),
  401: Problem('Unauthenticated: no valid bearer token.'),
  403: Problem('Forbidden: the token lacks the data scope.'),
  429: Problem('Rate Limit Exceeded (listed by the contract; Ledgerite does not limit creating connections).'),
  500: Problem('Unknown Error.'),
  502: Problem('Provider Error: configurations 4 and 5 only, the bank could not start the authorisation; the connection stays as created.'),
}

/** The refusals of the read extensions. */
export const READ_PROBLEMS = {
  400: Problem('Invalid Parameters: a query parameter or the cursor is not valid.'),
  401: Problem('Unauthenticated: no valid bearer token.'),
  403: Problem('Forbidden: the token lacks the data scope.'),
  404: Problem('Not Found: no such connection for this client.'),
}

import { type Static, type TSchema, Type } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Deps } from '../../deps.ts'
import { REQUEST_LIMITS as L } from '../../http/request-limits.ts'
import { StringEnum } from '../../http/string-enum.ts'
import { CUSTOMER_SEGMENTS, FILTER_COUNTRIES, filterProviders, RELEASE_CHANNELS, toWireProvider } from './provider.filter.ts'

const List = <T extends TSchema>(item: T) => Type.Optional(Type.Array(item, { minItems: 1, maxItems: L.listItems, uniqueItems: true }))

const ProvidersQuery = Type.Object({
  countries: List(StringEnum(FILTER_COUNTRIES)),
  release_channel: Type.Optional(StringEnum(RELEASE_CHANNELS)),
  customer_segments: List(StringEnum(CUSTOMER_SEGMENTS)),
  provider_ids: List(Type.String({ minLength: 1, maxLength: L.idLength })),
  excludes: List(Type.String({ minLength: 1, maxLength: L.idLength })),
}, { additionalProperties: false })
const ProviderItem = Type.Object({
  id: Type.String(),
  display_name: Type.String(),
  icon_uri: Type.String(),
  logo_uri: Type.String(),
  bg_color: Type.String(),
  country: Type.String(),
  release_channel: Type.String(),
  customer_segments: Type.Array(Type.String()),
  scopes: Type.Array(Type.String()),
  extension: Type.Boolean({ description: 'true for a provider outside the UK: Data v3 is UK-only today, so it is a Ledgerite extension.' }),
})

/** Marks the route as outside the published contract (see src/http/openapi.ts). */
const extension = { 'x-ledgerite-extension': true }

const LIST_PARAMS = ['countries', 'customer_segments', 'provider_ids', 'excludes'] as const

/** `?countries=GB,DE` and `?countries=GB&countries=DE` mean the same. */
async function splitCommaLists (request: FastifyRequest): Promise<void> {
  const q = request.query as Record<string, unknown>
  for (const key of LIST_PARAMS) {
    const v = q[key]
    if (v === undefined) continue
    q[key] = (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean)
  }
}

/** GET /v3/providers — an extension: the provider catalogue, filtered like create-connection's provider_selection.filter. */
export async function providerRoutes (app: FastifyInstance, _deps: Deps): Promise<void> {
  app.get<{ Querystring: Static<typeof ProvidersQuery> }>('/v3/providers', {
    schema: {
      summary: 'List providers (Ledgerite extension)',
      description: 'Extension: not in the published Data API v3. The providers a create-connection `provider_selection.filter` ' +
        'with the same values would offer (countries restrict; release_channel general_availability (default), private_beta ' +
        '(adds private beta) or public_beta (adds public and private beta); customer_segments default retail; provider_ids are ' +
        'added beyond the filters; excludes are removed last). Lists may repeat the parameter or separate values with commas. ' +
        'Items are the OpenAPI Provider shape plus country, release_channel, customer_segments, scopes and extension ' +
        '(true outside the UK: Data v3 is UK-only today). UK providers come first.',
      tags: ['Providers'],
      security: [{ OAuth2: ['data'] }],
      querystring: ProvidersQuery,
      response: { 200: Type.Object({ items: Type.Array(ProviderItem) }) },
      ...extension,
    },
    preValidation: splitCommaLists,
  }, async (request) => {
    const q = request.query
    const providers = filterProviders({
      ...(q.countries ? { countries: q.countries } : {}),
      ...(q.release_channel ? { release_channel: q.release_channel } : {}),
      ...(q.customer_segments ? { customer_segments: q.customer_segments } : {}),
      ...(q.provider_ids ? { provider_ids: q.provider_ids } : {}),
      ...(q.excludes ? { excludes: { provider_ids: q.excludes } } : {}),
    })
    return {
      items: providers.map((p) => ({
        ...toWireProvider(p), country: p.country, release_channel: p.release_channel, customer_segments: p.customer_segments, scopes: p.scopes, extension: p.extension,
      })),
    }
  })
}

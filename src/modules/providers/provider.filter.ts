import { PROVIDERS, type Provider } from './provider.catalog.ts'

/** The OpenAPI's CountryCode enum: the countries a provider filter may name. */
export const FILTER_COUNTRIES = ['AT', 'BE', 'DE', 'DK', 'ES', 'FI', 'FR', 'GB', 'IE', 'IT', 'LT', 'NL', 'NO', 'PL', 'PT', 'RO'] as const
export const RELEASE_CHANNELS = ['general_availability', 'public_beta', 'private_beta'] as const
export const CUSTOMER_SEGMENTS = ['retail', 'business', 'corporate'] as const

export type ReleaseChannel = (typeof RELEASE_CHANNELS)[number]
export type CustomerSegment = (typeof CUSTOMER_SEGMENTS)[number]

/** `provider_selection.filter` of create-connection (and the query of GET /v3/providers). */
export interface ProviderFilter {
  countries?: string[]
  release_channel?: ReleaseChannel
  customer_segments?: CustomerSegment[]
  provider_ids?: string[]
  excludes?: { provider_ids?: string[] }
}

/**
 * "specifying private_beta will result in private beta and general availability banks appearing in the list;
 * public_beta will result in public beta, private beta and general availability banks appearing."
 */
const CHANNELS_SHOWN: Record<ReleaseChannel, readonly Provider['release_channel'][]> = {
  general_availability: ['general_availability'],
  private_beta: ['general_availability', 'private_beta'],
  public_beta: ['general_availability', 'private_beta', 'public_beta'],
}

/**
 * The providers a filter lets the user choose from, in catalogue order, exactly as the page describes:
 * - `countries` restrict to providers of those countries (absent: every country);
 * - `release_channel` (default general_availability) is the lowest stability shown, see CHANNELS_SHOWN;
 * - `customer_segments` (default ["retail"]) restrict to providers serving at least one of them;
 * - `provider_ids` are added even when the filters above leave them out;
 * - `excludes.provider_ids` are removed last, whatever put them in.
 * Ids the catalogue does not know are ignored here; create-connection refuses unknown `provider_ids` itself.
 */
export function filterProviders (filter: ProviderFilter | undefined, catalogue: readonly Provider[] = PROVIDERS): Provider[] {
  const countries = filter?.countries ? new Set(filter.countries) : undefined
  const channels = CHANNELS_SHOWN[filter?.release_channel ?? 'general_availability']
  const segments = filter?.customer_segments ?? ['retail']
  const added = new Set(filter?.provider_ids ?? [])
  const excluded = new Set(filter?.excludes?.provider_ids ?? [])
  return catalogue.filter((p) => {
    if (excluded.has(p.provider_id)) return false
    if (added.has(p.provider_id)) return true
    return (!countries || countries.has(p.country)) &&
      channels.includes(p.release_channel) &&
      p.customer_segments.some((s) => segments.includes(s))
  })
}

/** The OpenAPI `Provider` shape (create-connection's `provider_selection` next action, GET /v3/providers). */
export interface WireProvider {
  id: string
  display_name: string
  icon_uri: string
  logo_uri: string
  bg_color: string
}

export function toWireProvider (p: Provider): WireProvider {
  return { id: p.provider_id, display_name: p.display_name, icon_uri: p.icon_uri, logo_uri: p.logo_uri, bg_color: p.bg_color }
}

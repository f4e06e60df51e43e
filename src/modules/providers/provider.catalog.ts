import catalog from './catalog.json' with { type: 'json' }

/**
 * The providers Ledgerite knows: one data file (catalog.json, built from shared/data/providers.json, every id of it;
 * its `about` says which values were read and which were chosen). UK providers come first; the others are marked
 * `extension`. Everything that needs a provider — the filter, the hosted
 * provider-selection page, preselected `provider_id` checks, GET /v3/providers — reads it from here.
 */
export interface Provider {
  provider_id: string
  display_name: string
  country: string
  release_channel: 'general_availability' | 'public_beta' | 'private_beta'
  customer_segments: Array<'retail' | 'business' | 'corporate'>
  scopes: string[]
  bg_color: string
  icon_uri: string
  logo_uri: string
  /** Outside the UK: Data v3 is UK-only today, so these providers are a Ledgerite extension (listed after the UK's). */
  extension: boolean
}

// Only the wire fields; the data file's per-entry `inferred` list is provenance, not part of a provider.
export const PROVIDERS: readonly Provider[] = Object.freeze(catalog.providers.map((p): Provider => Object.freeze({
  provider_id: p.provider_id,
  display_name: p.display_name,
  country: p.country,
  release_channel: p.release_channel as Provider['release_channel'],
  customer_segments: p.customer_segments as Provider['customer_segments'],
  scopes: p.scopes,
  bg_color: p.bg_color,
  icon_uri: p.icon_uri,
  logo_uri: p.logo_uri,
  extension: p.extension,
})))

const BY_ID = new Map(PROVIDERS.map((p) => [p.provider_id, p]))

export function findProvider (id: string): Provider | undefined {
  return BY_ID.get(id)
}

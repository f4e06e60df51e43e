// "provider_selection.provider_id — Yes if provider_selection.type is preselected: the provider_id of a preselected provider."
import { closest } from '../connection.hints.ts'
import { PROVIDERS, findProvider } from '../../providers/provider.catalog.ts'
import type { Rule } from './rule.ts'
import { at, str } from './rule.ts'

const ALL_IDS = PROVIDERS.map((p) => p.provider_id)

/** `suggest`: false once a request has had its share of suggestions (REQUEST_LIMITS.suggestions). */
export function unknownProviderMessage (id: string, suggest = true): string {
  const guess = suggest ? closest(id, ALL_IDS) : undefined
  return `is not a known provider${guess ? ` — did you mean ${JSON.stringify(guess)}?` : ''} (GET /v3/providers lists them)`
}

export const providerExists: Rule = {
  name: 'preselected provider exists',
  check ({ body }, errors) {
    if (at(body, 'provider_selection', 'type') !== 'preselected') return
    const id = str(at(body, 'provider_selection', 'provider_id'))
    if (id && !findProvider(id)) errors.add('provider_selection.provider_id', unknownProviderMessage(id))
  },
}

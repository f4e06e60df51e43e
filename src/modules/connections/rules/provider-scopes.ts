// "scopes … describes what information you are asking your user to consent to sharing": a preselected provider must
// be able to share every scope asked for, or the user would consent to data the bank cannot give.
import { CONNECTION_SCOPES } from '../../../contract/scopes.ts'
import { findProvider } from '../../providers/provider.catalog.ts'
import type { Rule } from './rule.ts'
import { at, obj, str } from './rule.ts'

export const providerScopes: Rule = {
  name: 'preselected provider supports the scopes',
  check ({ body }, errors) {
    if (at(body, 'provider_selection', 'type') !== 'preselected') return
    const provider = findProvider(str(at(body, 'provider_selection', 'provider_id')) ?? '')
    const scopes = obj(body)?.scopes
    if (!provider || !Array.isArray(scopes)) return
    const missing = [...new Set(scopes.filter((s): s is string => typeof s === 'string' && !provider.scopes.includes(s)))]
    // Unknown scope values are the schema's to report.
    const known = missing.filter((s) => (CONNECTION_SCOPES as readonly string[]).includes(s))
    if (known.length > 0) {
      errors.add('scopes', `${known.map((s) => JSON.stringify(s)).join(', ')} ${known.length === 1 ? 'is' : 'are'} not supported by ${provider.provider_id} (it supports ${provider.scopes.join(', ')})`)
    }
  },
}

// "provider_ids, in which you can supply an array of provider IDs that are not covered by any of the filters above
// to be included on the list". An id nobody knows would silently add nothing, so it is refused; ids in `excludes`
// may name providers that no longer exist (removing nothing is harmless).
import { REQUEST_LIMITS } from '../../../http/request-limits.ts'
import { findProvider } from '../../providers/provider.catalog.ts'
import { unknownProviderMessage } from './provider-exists.ts'
import type { Rule } from './rule.ts'
import { at } from './rule.ts'

export const filterProviderIds: Rule = {
  name: 'filter provider_ids exist',
  check ({ body }, errors) {
    if (at(body, 'provider_selection', 'type') !== 'user_selected') return
    const ids = at(body, 'provider_selection', 'filter', 'provider_ids')
    // A list over the limit is refused by the schema (maxItems, naming the limit); looking each id up would be
    // work for an answer nobody needs.
    if (!Array.isArray(ids) || ids.length > REQUEST_LIMITS.listItems) return
    let unknown = 0
    ids.forEach((id, i) => {
      if (typeof id !== 'string' || id === '' || id.length > REQUEST_LIMITS.idLength || findProvider(id)) return
      errors.add(`provider_selection.filter.provider_ids[${i}]`, unknownProviderMessage(id, unknown++ < REQUEST_LIMITS.suggestions))
    })
  },
}

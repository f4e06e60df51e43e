// "provider_ids, in which you can supply an array of provider IDs that are not covered by any of the filters above
// to be included on the list". An id nobody knows would silently add nothing, so it is refused; ids in `excludes`
// may name providers that no longer exist (removing nothing is harmless).
import { findProvider } from '../../providers/provider.catalog.ts'
import { unknownProviderMessage } from './provider-exists.ts'
import type { Rule } from './rule.ts'
import { at } from './rule.ts'

export const filterProviderIds: Rule = {
  name: 'filter provider_ids exist',
  check ({ body }, errors) {
    if (at(body, 'provider_selection', 'type') !== 'user_selected') return
    const ids = at(body, 'provider_selection', 'filter', 'provider_ids')
    if (!Array.isArray(ids)) return
    ids.forEach((id, i) => {
      if (typeof id === 'string' && id !== '' && !findProvider(id)) errors.add(`provider_selection.filter.provider_ids[${i}]`, unknownProviderMessage(id))
    })
  },
}

// Data v1 auth links named providers with tokens (`uk-cs-mock`, `uk-ob-all`, `uk-oauth-all`) that Data v3 does not
// have; code ported from v1 sends them as provider ids. They are unknown providers (rules/provider-exists.ts says
// so); this rule adds the way forward: the v3 sandbox's mock provider.
import { at } from './rule.ts'
import type { Rule } from './rule.ts'

/** v1 provider tokens → what to send in v3 instead. */
export const V1_PROVIDER_IDS: Readonly<Record<string, string>> = Object.freeze({
  'uk-cs-mock': 'the v1 sandbox mock bank',
  'uk-ob-all': 'every UK Open Banking provider in v1',
  'uk-oauth-all': 'every UK OAuth provider in v1',
})

const hint = (id: string): string =>
  `${JSON.stringify(id)} is a Data v1 provider token (${V1_PROVIDER_IDS[id]}); in Data v3 — did you mean "mock" (the sandbox mock provider)? To offer several providers use provider_selection.type "user_selected" with a filter`

export const v1ProviderIds: Rule = {
  name: 'Data v1 provider tokens',
  check ({ body }, errors) {
    const preselected = at(body, 'provider_selection', 'provider_id')
    if (typeof preselected === 'string' && Object.hasOwn(V1_PROVIDER_IDS, preselected)) errors.add('provider_selection.provider_id', hint(preselected))
    const ids = at(body, 'provider_selection', 'filter', 'provider_ids')
    if (!Array.isArray(ids)) return
    ids.slice(0, 100).forEach((id, i) => {
      if (typeof id === 'string' && Object.hasOwn(V1_PROVIDER_IDS, id)) errors.add(`provider_selection.filter.provider_ids[${i}]`, hint(id))
    })
  },
}

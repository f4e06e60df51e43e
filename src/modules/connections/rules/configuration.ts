// "There are five supported configurations, controlled by the combination of hosted_page, authorization_flow,
// provider_selection, and user_consent fields." Any other combination is refused, naming the fields that conflict.
import { recogniseConfiguration } from '../journey-configurations.ts'
import { bothFlows } from './hosted-flow-exclusive.ts'
import type { Rule } from './rule.ts'

export const supportedConfiguration: Rule = {
  name: 'supported configuration',
  check ({ body }, errors) {
    if (bothFlows(body)) return // hosted-flow-exclusive.ts says it better
    const result = recogniseConfiguration(body)
    if (result.kind !== 'unsupported') return
    for (const [field, messages] of Object.entries(result.errors)) for (const m of messages) errors.add(field, m)
    return result.detail
  },
}

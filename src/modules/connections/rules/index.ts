/**
 * Create-connection's cross-field rules, in the order they are checked. The schema (connection.schema.ts) has
 * already checked types, enums, lengths and patterns; these are the rules a schema cannot say. Every rule runs,
 * and every problem they find goes into the one 400, next to the schema's own.
 */
import { capturedAt } from './captured-at.ts'
import { supportedConfiguration } from './configuration.ts'
import { filterProviderIds } from './filter-provider-ids.ts'
import { hostedFlowExclusive } from './hosted-flow-exclusive.ts'
import { supportedLanguage } from './language-code.ts'
import { metadataLimits } from './metadata.ts'
import { providerExists } from './provider-exists.ts'
import { providerScopes } from './provider-scopes.ts'
import { resultPageReturnUri } from './result-page-return-uri.ts'
import { returnUrisRegistered } from './return-uris.ts'
import type { Rule } from './rule.ts'
import { userIdentity } from './user-identity.ts'
import { v1ProviderIds } from './v1-provider-ids.ts'

export const CREATE_CONNECTION_RULES: readonly Rule[] = [
  // who the user is
  userIdentity, // name + email or phone, unless the client holds an AISP licence
  metadataLimits, // ≤ 10 keys, keys ≤ 40 characters, values ≤ 500
  capturedAt, // precaptured consent: RFC 3339, UTC, not in the future
  // what the request points at
  providerExists, // a preselected provider_id is in the catalogue
  filterProviderIds, // filter.provider_ids are in the catalogue
  v1ProviderIds, // Data v1 provider tokens (uk-cs-mock, uk-ob-all, uk-oauth-all): did you mean "mock"
  providerScopes, // a preselected provider supports every scope asked for
  returnUrisRegistered, // hosted_page.return_uri and authorization_flow.redirect.return_uri are registered
  resultPageReturnUri, // a result page has a return URI: its own, or the root authorization_flow's (the OpenAPI's shape)
  supportedLanguage, // hosted_page.language_code is one the hosted pages speak
  // which journey
  hostedFlowExclusive, // hosted_page.type=authorization_flow and root authorization_flow exclude each other
  supportedConfiguration, // one of configurations 1, 2, 3, 4, 5, 5b
]

export type { Rule, RuleInput } from './rule.ts'

import { addFieldError, type FieldErrors } from '../../contract/errors.ts'
import type { JourneyConfiguration } from './connection.model.ts'
import { at, obj } from './rules/rule.ts'

/**
 * The supported configurations of create-connection (the table in the contract notes, spec/README.md), as data.
 * A request's provider_selection.type, user_consent.type, hosted_page.type and root authorization_flow must
 * match one row; the row says which status the connection starts in and what the 201 carries.
 */
export interface ConfigurationSpec {
  id: JourneyConfiguration
  /** What it is for, in the page's words. */
  title: string
  provider_selection: readonly ProviderSelectionType[]
  user_consent: readonly UserConsentType[]
  /** `none`: no hosted_page object. */
  hosted_page: readonly HostedPageType[]
  /** `redirect`: the root authorization_flow ({redirect: {return_uri}}) is given; `none`: it is not. */
  authorization_flow: readonly AuthorizationFlowKind[]
  status: 'authorization_required' | 'authorizing'
  /** What the 201 carries: the hosted page's URI, a redirect to the bank, or the providers to choose from. */
  answer: 'hosted_page.uri' | 'redirect' | 'provider_selection'
}

type ProviderSelectionType = 'user_selected' | 'preselected'
type UserConsentType = 'authorization_flow_captured' | 'precaptured'
type HostedPageType = 'authorization_flow' | 'result_page' | 'none'
type AuthorizationFlowKind = 'redirect' | 'none'

export const JOURNEY_CONFIGURATIONS: readonly ConfigurationSpec[] = [
  { id: 1, title: 'hosted UI for the whole journey', provider_selection: ['user_selected'], user_consent: ['authorization_flow_captured'], hosted_page: ['authorization_flow'], authorization_flow: ['none'], status: 'authorization_required', answer: 'hosted_page.uri' },
  { id: 2, title: 'your provider selection, hosted UI everywhere else', provider_selection: ['preselected'], user_consent: ['authorization_flow_captured'], hosted_page: ['authorization_flow'], authorization_flow: ['none'], status: 'authorization_required', answer: 'hosted_page.uri' },
  { id: 3, title: 'everything yours except QR hand-off and result screen', provider_selection: ['preselected'], user_consent: ['precaptured'], hosted_page: ['authorization_flow'], authorization_flow: ['none'], status: 'authorization_required', answer: 'hosted_page.uri' },
  // The page's shape (hosted_page.return_uri, no authorization_flow) and the OpenAPI's (result_page without a return
  // URI, the root authorization_flow.redirect.return_uri): both are configuration 4.
  { id: 4, title: 'everything yours except the result screen', provider_selection: ['preselected'], user_consent: ['precaptured'], hosted_page: ['result_page'], authorization_flow: ['none', 'redirect'], status: 'authorizing', answer: 'redirect' },
  { id: 5, title: 'the entire journey yours', provider_selection: ['preselected'], user_consent: ['precaptured'], hosted_page: ['none'], authorization_flow: ['redirect'], status: 'authorizing', answer: 'redirect' },
  { id: '5b', title: 'the entire journey yours, the user picks the provider from the list returned', provider_selection: ['user_selected'], user_consent: ['precaptured'], hosted_page: ['none', 'result_page'], authorization_flow: ['redirect'], status: 'authorizing', answer: 'provider_selection' },
]

/** The four values a configuration is recognised by. */
interface Shape {
  provider_selection: ProviderSelectionType
  user_consent: UserConsentType
  hosted_page: HostedPageType
  authorization_flow: AuthorizationFlowKind
}

type Dimension = keyof Shape

/** The field an error about a dimension names, given the request's value. */
const FIELD: Record<Dimension, (v: string) => string> = {
  provider_selection: () => 'provider_selection.type',
  user_consent: () => 'user_consent.type',
  hosted_page: (v) => (v === 'none' ? 'hosted_page' : 'hosted_page.type'),
  authorization_flow: () => 'authorization_flow',
}

/** What a configuration needs of a dimension, in words: `user_consent.type "precaptured"`, `no hosted_page`. */
function needs (d: Dimension, values: readonly string[]): string {
  return values.map((v) => {
    if (v === 'none') return `no ${d}`
    if (d === 'authorization_flow') return 'authorization_flow.redirect.return_uri'
    return `${d}.type ${JSON.stringify(v)}`
  }).join(' or ')
}

/** One line per configuration, for error details and docs. */
export function describeConfiguration (c: ConfigurationSpec): string {
  return `${c.id} (${c.title}): ${DIMENSIONS.map((d) => needs(d, c[d])).join(', ')}`
}

/** The four values of a body, or undefined when one cannot be read (the schema reports why). */
function shapeOf (body: unknown): Shape | undefined {
  const ps = at(body, 'provider_selection', 'type')
  const uc = at(body, 'user_consent', 'type')
  const hostedPage = obj(body)?.hosted_page
  const hp = hostedPage === undefined ? 'none' : at(body, 'hosted_page', 'type')
  const af = obj(body)?.authorization_flow
  if (ps !== 'user_selected' && ps !== 'preselected') return undefined
  if (uc !== 'authorization_flow_captured' && uc !== 'precaptured') return undefined
  if (hp !== 'none' && hp !== 'authorization_flow' && hp !== 'result_page') return undefined
  if (af !== undefined && !obj(af)) return undefined
  return { provider_selection: ps, user_consent: uc, hosted_page: hp, authorization_flow: af === undefined ? 'none' : 'redirect' }
}

const DIMENSIONS: readonly Dimension[] = ['provider_selection', 'user_consent', 'hosted_page', 'authorization_flow']
const matches = (c: ConfigurationSpec, s: Shape, d: Dimension): boolean => (c[d] as readonly string[]).includes(s[d])

export type Recognised =
  | { kind: 'supported', configuration: ConfigurationSpec }
  | { kind: 'unsupported', errors: FieldErrors, detail: string }
  | { kind: 'unreadable' }

/**
 * Which configuration a request is. For an unsupported combination, the fields named are those that differ from
 * the nearest configurations (fewest differences), each with what that configuration needs.
 */
export function recogniseConfiguration (body: unknown): Recognised {
  const shape = shapeOf(body)
  if (!shape) return { kind: 'unreadable' }
  const exact = JOURNEY_CONFIGURATIONS.find((c) => DIMENSIONS.every((d) => matches(c, shape, d)))
  if (exact) return { kind: 'supported', configuration: exact }

  const distance = (c: ConfigurationSpec) => DIMENSIONS.filter((d) => !matches(c, shape, d)).length
  const best = Math.min(...JOURNEY_CONFIGURATIONS.map(distance))
  const nearest = JOURNEY_CONFIGURATIONS.filter((c) => distance(c) === best)
  const errors: FieldErrors = {}
  const add = (field: string, message: string) => { addFieldError(errors, field, message) }

  // The two mistakes with a reason worth saying in words.
  if (shape.user_consent === 'authorization_flow_captured' && shape.hosted_page !== 'authorization_flow') {
    add('user_consent.type', '"authorization_flow_captured" needs hosted_page.type "authorization_flow": without the hosted authorisation flow nobody captures the consent (capture it yourself and send "precaptured" with captured_at)')
  }
  if (shape.hosted_page === 'none' && shape.authorization_flow === 'none') {
    add('authorization_flow', 'is required when there is no hosted_page: something must take the user to the bank (give hosted_page, or authorization_flow.redirect.return_uri for your own UI)')
  }
  for (const c of nearest) {
    for (const d of DIMENSIONS) {
      if (matches(c, shape, d)) continue
      add(FIELD[d](shape[d]), `configuration ${c.id} (${c.title}) needs ${needs(d, c[d])}`)
    }
  }
  const detail = 'This combination of provider_selection, user_consent, hosted_page and authorization_flow is not a supported configuration. ' +
    `Supported configurations: ${JOURNEY_CONFIGURATIONS.map(describeConfiguration).join('; ')}.`
  return { kind: 'unsupported', errors, detail }
}

/** The configuration of a body that passed the rules. */
export function configurationOfRequest (body: unknown): ConfigurationSpec {
  const r = recogniseConfiguration(body)
  if (r.kind !== 'supported') throw new Error('configurationOfRequest: the rules let an unsupported configuration through')
  return r.configuration
}

// "authorization_flow … This cannot be used alongside hosted_page with type=authorization_flow."
import type { Rule } from './rule.ts'
import { at, obj } from './rule.ts'

/** Both the hosted authorisation flow and the client's own flow were asked for. */
export const bothFlows = (body: unknown): boolean =>
  at(body, 'hosted_page', 'type') === 'authorization_flow' && obj(obj(body)?.authorization_flow) !== undefined

export const hostedFlowExclusive: Rule = {
  name: 'hosted flow and own flow exclude each other',
  check ({ body }, errors) {
    if (!bothFlows(body)) return
    errors.add('authorization_flow', 'cannot be used with hosted_page.type "authorization_flow": either the hosted page runs the journey (drop authorization_flow) or your UI does (use hosted_page.type "result_page" or no hosted_page)')
    errors.add('hosted_page.type', 'must not be "authorization_flow" when the root authorization_flow is given')
  },
}

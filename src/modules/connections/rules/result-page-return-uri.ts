// The page: "hosted_page.return_uri — Yes (if you're using a hosted_page object)". The OpenAPI's result_page has no
// return_uri and takes it from the root authorization_flow.redirect.return_uri instead. Both shapes are accepted
// (configurations 4 and 5b); one of them must say where the user goes back to, and if both do, they must agree.
import type { Rule } from './rule.ts'
import { at, obj, str } from './rule.ts'

export const resultPageReturnUri: Rule = {
  name: 'result page return URI',
  check ({ body }, errors) {
    if (at(body, 'hosted_page', 'type') !== 'result_page') return
    const own = at(body, 'hosted_page', 'return_uri')
    const root = str(at(body, 'authorization_flow', 'redirect', 'return_uri'))
    if (own === undefined && obj(obj(body)?.authorization_flow) === undefined) {
      errors.add('hosted_page.return_uri', 'is required: give it here, or (the OpenAPI\'s shape) in the root authorization_flow.redirect.return_uri')
    } else if (typeof own === 'string' && root !== undefined && own !== root) {
      errors.add('authorization_flow.redirect.return_uri', `must equal hosted_page.return_uri (${own}) when both are given: the user goes back to one place; give it once`)
    }
  },
}

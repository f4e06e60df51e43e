// "hosted_page.return_uri — Yes (if you're using a hosted_page object) … You must register the return_uri in your
// settings in Console." The same holds for authorization_flow.redirect.return_uri (OpenAPI ReturnUri).
import type { Rule } from './rule.ts'
import { at, str } from './rule.ts'

const FIELDS = [
  ['hosted_page.return_uri', ['hosted_page', 'return_uri']],
  ['authorization_flow.redirect.return_uri', ['authorization_flow', 'redirect', 'return_uri']],
] as const

export const returnUrisRegistered: Rule = {
  name: 'return URIs registered',
  check ({ body, client }, errors) {
    for (const [field, path] of FIELDS) {
      const uri = str(at(body, ...path))
      if (uri === undefined || uri === '') continue
      if (client.redirectUris.includes(uri)) continue
      let absolute = false
      try { absolute = ['http:', 'https:'].includes(new URL(uri).protocol) } catch {}
      errors.add(field, absolute
        ? `is not registered for this client: register it as a redirect URI first (ledgerite clients update ${client.id} --add-redirect-uri ${uri}); registered: ${client.redirectUris.join(', ') || 'none'}`
        : 'must be an absolute http(s) URL registered for this client')
    }
  },
}

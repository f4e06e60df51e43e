// "hosted_page.return_uri — Yes (if you're using a hosted_page object) … You must register the return_uri in your
// settings in Console." The same holds for authorization_flow.redirect.return_uri (OpenAPI ReturnUri).
import type { Rule } from './rule.ts'
import { at, str } from './rule.ts'

const FIELDS = [
  ['hosted_page.return_uri', ['hosted_page', 'return_uri']],
  ['authorization_flow.redirect.return_uri', ['authorization_flow', 'redirect', 'return_uri']],
] as const

/** The parts of a return URI that must equal a registered one; the query may differ (behaviour notes, "Return URIs"). */
const MATCHED = [
  ['scheme', (u: URL) => u.protocol],
  ['user information', (u: URL) => `${u.username}:${u.password}`],
  ['host', (u: URL) => u.hostname],
  ['port', (u: URL) => u.port],
  ['path', (u: URL) => u.pathname],
  ['fragment', (u: URL) => u.hash],
] as const

function parse (uri: string): URL | undefined {
  try {
    const u = new URL(uri)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u : undefined
  } catch {
    return undefined
  }
}

/** The parts in which `uri` differs from `registered` (empty: it matches); the query never counts. */
function differences (uri: URL, registered: URL): string[] {
  return MATCHED.filter(([, part]) => part(uri) !== part(registered)).map(([name]) => name)
}

/**
 * Whether `uri` is one of the client's registered return URIs: scheme, host, port and path exactly (as parsed, so
 * `HTTPS://Your-App.com:443/cb` is `https://your-app.com/cb`), and no fragment beyond the registered one; the query
 * may differ, because clients add their own `?state=…` to each request. Used at create and again when the journey
 * sends the user back (a client may have removed the URI since).
 */
export function isRegisteredReturnUri (uri: string, registered: readonly string[]): boolean {
  if (registered.includes(uri)) return true
  const u = parse(uri)
  if (!u) return false
  return registered.some((r) => {
    const reg = parse(r)
    return reg !== undefined && differences(u, reg).length === 0
  })
}

/** The teaching message for a return URI that matches none: which registered URI it is nearest to, and how it differs. */
function refusal (uri: string, registered: readonly string[], clientId: string): string {
  const u = parse(uri)
  if (!u) return 'must be an absolute http(s) URL registered for this client'
  const nearest = registered
    .map((r) => ({ r, reg: parse(r) }))
    .filter((x): x is { r: string, reg: URL } => x.reg !== undefined && x.reg.hostname === u.hostname)
    .map((x) => ({ r: x.r, diff: differences(u, x.reg) }))
    .sort((a, b) => a.diff.length - b.diff.length)[0]
  const how = nearest
    ? `it differs from the registered ${nearest.r} in its ${nearest.diff.join(' and ')}; scheme, host, port and path must match exactly, only the query may differ`
    : `registered: ${registered.join(', ') || 'none'}`
  return `is not registered for this client: ${how} (register it first: ledgerite clients update ${clientId} --add-redirect-uri ${u.origin}${u.pathname})`
}

export const returnUrisRegistered: Rule = {
  name: 'return URIs registered',
  check ({ body, client }, errors) {
    for (const [field, path] of FIELDS) {
      const uri = str(at(body, ...path))
      if (uri === undefined || uri === '') continue
      if (!isRegisteredReturnUri(uri, client.redirectUris)) errors.add(field, refusal(uri, client.redirectUris, client.id))
    }
  },
}

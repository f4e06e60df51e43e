import type { TestApp, TestClient } from '../helpers/build-app.ts'

/**
 * The five configuration examples of the Create-a-connection page, verbatim, with `user` added (the table and the
 * OpenAPI require it; the examples leave it out), plus 5b from the contract notes.
 */
export const USER = { name: 'Jane Smith', email: 'jane.smith@example.com', phone: '+447700900000' }
export const RETURN_URI = 'https://your-app.com/callback'

export const CONFIG_1 = {
  scopes: ['accounts', 'transactions'],
  provider_selection: { type: 'user_selected' },
  user_consent: { type: 'authorization_flow_captured' },
  hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
  user: USER,
}
export const CONFIG_2 = {
  scopes: ['accounts', 'transactions'],
  provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
  user_consent: { type: 'authorization_flow_captured' },
  hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
  user: USER,
}
export const CONFIG_3 = {
  scopes: ['accounts', 'transactions'],
  provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
  user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
  hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
  user: USER,
}
export const CONFIG_4 = {
  scopes: ['accounts', 'transactions'],
  provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
  user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
  hosted_page: { type: 'result_page', return_uri: RETURN_URI },
  user: USER,
}
export const CONFIG_5 = {
  scopes: ['accounts', 'transactions'],
  provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
  user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
  authorization_flow: { redirect: { return_uri: RETURN_URI } },
  user: USER,
}
export const CONFIG_5B = {
  scopes: ['accounts', 'transactions'],
  provider_selection: { type: 'user_selected', filter: { countries: ['GB'] } },
  user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
  authorization_flow: { redirect: { return_uri: RETURN_URI } },
  user: USER,
}

/** The page's full example, byte for byte as published (trailing comma in `scopes` included). */
export const FULL_EXAMPLE_AS_WRITTEN = `{
  "provider_selection": {
    "type": "user_selected",
    "filter": {
      "countries": ["GB"],
      "release_channel": "public",
      "customer_segments": ["retail"]
    }
  },
  "hosted_page": {
    "type": "authorization_flow",
    "redirect": {
      "return_uri": "https://yourapp.com/callback"
    }
  },
  "scopes": [
    "accounts",
    "transactions",
  ],
  "user": {
    "name": "Jane Smith",
    "email": "[email protected]",
    "phone": "+447700900000"
  },
  "user_consent": {
    "type": "authorization_flow_captured"
  },
  "data_access_type": "recurring"
}`

/** A deep copy with changes applied: `set(body, 'user.name', 'x')`, `undefined` deletes. */
export function withChanges (body: object, changes: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(body) as Record<string, unknown>
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.')
    let o = copy
    for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>
    const last = keys.at(-1)!
    if (value === undefined) delete o[last]
    else o[last] = value
  }
  return copy
}

/** POST /v3/data-connections as client `c`; a string payload is sent as raw JSON text. */
export function create (h: TestApp, c: TestClient, payload: unknown, headers: Record<string, string> = {}) {
  const raw = typeof payload === 'string'
  return h.inject({
    method: 'POST',
    url: '/v3/data-connections',
    headers: { ...c.auth, ...(raw ? { 'content-type': 'application/json' } : {}), ...headers },
    payload: payload as string,
  })
}

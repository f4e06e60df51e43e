import assert from 'node:assert/strict'
import type { TestApp, TestClient } from '../helpers/build-app.ts'

export const RETURN_URI = 'https://your-app.com/callback'
export const USER = { name: 'Jane Smith', email: 'jane.smith@example.com' }

/** Configuration 5 (preselected, precaptured, redirect straight back): the shortest journey. */
export function config5 (extra: Record<string, unknown> = {}) {
  return {
    scopes: ['info', 'accounts', 'balance', 'transactions'],
    provider_selection: { type: 'preselected', provider_id: 'ob-monzo' },
    user_consent: { type: 'precaptured', captured_at: '2025-01-01T12:00:00Z' },
    authorization_flow: { redirect: { return_uri: RETURN_URI } },
    user: USER,
    ...extra,
  }
}

/** Configuration 1 (the hosted UI does everything): starts at authorization_required. */
export function config1 (extra: Record<string, unknown> = {}) {
  return {
    scopes: ['info', 'accounts', 'balance', 'transactions'],
    provider_selection: { type: 'user_selected', filter: { countries: ['GB'] } },
    user_consent: { type: 'authorization_flow_captured' },
    hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
    user: USER,
    ...extra,
  }
}

/** POST /v3/data-connections, as a client would; returns the created body. */
export async function createConnection (h: TestApp, c: TestClient, body: Record<string, unknown>) {
  const res = await h.inject({ method: 'POST', url: '/v3/data-connections', headers: c.auth, payload: body })
  assert.equal(res.statusCode, 201, res.body)
  return res.json() as { id: string, status: string, authorization_flow?: { actions: { next: { type: string, uri: string } } }, hosted_page?: { uri: string } }
}

export function sandboxAuthorize (h: TestApp, c: TestClient, id: string, payload: Record<string, unknown>) {
  return h.inject({ method: 'POST', url: `/sandbox/v3/data-connections/${id}/authorize`, headers: c.auth, payload })
}

export async function getConnection (h: TestApp, c: TestClient, id: string) {
  const res = await h.inject({ method: 'GET', url: `/v3/data-connections/${id}`, headers: c.auth })
  assert.equal(res.statusCode, 200, res.body)
  return res.json()
}

export async function webhookTypes (h: TestApp, clientId: string): Promise<string[]> {
  const rows = await h.deps.db.selectFrom('webhook_events').select(['type']).where('client_id', '=', clientId).orderBy('created_at').orderBy('id').execute()
  return rows.map((r) => r.type)
}

/** A header that lifts the unattended-access limit. */
export const PRESENT = { 'tl-user-ip': '203.0.113.7' }

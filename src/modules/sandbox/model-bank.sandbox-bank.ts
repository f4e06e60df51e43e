import type { HttpFetch } from '../../http/inject-fetch.ts'
import { BankError } from '../providers/provider-adapter.ts'
import type { SandboxBank } from './sandbox-bank.port.ts'

/**
 * The model bank's sandbox calls (`/model-bank/{provider_id}/sandbox/…`), reached over HTTP like its data API: the
 * SandboxBank port as the model bank implements it. Refusals become BankError with the bank's error code.
 */
export function createModelBankSandbox (fetch: () => HttpFetch, baseUrl: string): SandboxBank {
  const url = (providerId: string, path: string) => `${baseUrl}/${encodeURIComponent(providerId)}/sandbox${path}`
  const call = async (what: string, target: string, init: { method?: string, headers: Record<string, string>, body?: string }) => {
    const res = await fetch()(target, { ...init, headers: { accept: 'application/json', ...init.headers } }).catch((err: Error) => {
      throw new BankError('provider_error', `The bank could not be reached for ${what}: ${err.message}`)
    })
    let body: Record<string, unknown> = {}
    try {
      body = await res.json() as Record<string, unknown>
    } catch { /* not JSON: the status alone */ }
    if (res.status >= 200 && res.status < 300) return body
    const reason = typeof body.error === 'string' ? body.error : 'provider_error'
    const description = typeof body.error_description === 'string' ? body.error_description : typeof body.detail === 'string' ? body.detail : `The bank answered ${res.status} to ${what}.`
    throw new BankError(reason, description, res.status)
  }

  return {
    async describeUser ({ providerId, clientToken, username }) {
      try {
        const body = await call('the mock user', url(providerId, `/users/${encodeURIComponent(username)}`), { headers: { authorization: `Bearer ${clientToken}` } })
        const { outcome, reason } = body
        if (outcome === 'approves') return { username, outcome }
        if ((outcome === 'data_calls_fail' || outcome === 'refused_at_sign_in') && typeof reason === 'string') return { username, outcome, reason }
        throw new BankError('provider_error', `The bank described ${username} in a way this server does not know (${String(outcome)}).`)
      } catch (err) {
        if (err instanceof BankError && err.reason === 'unknown_user') return undefined
        throw err
      }
    },

    async approveAsUser ({ providerId, consentId, clientToken, username, decision, accountIds }) {
      const body = await call('the sandbox approval', url(providerId, '/authorize'), {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${clientToken}` },
        body: JSON.stringify({ consent_id: consentId, username, decision, ...(accountIds ? { account_ids: accountIds } : {}) }),
      })
      if (typeof body.redirect_uri !== 'string') throw new BankError('provider_error', 'The bank answered the sandbox approval without a redirect_uri.')
      return { redirectUri: body.redirect_uri }
    },
  }
}

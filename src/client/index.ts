import { LedgeriteProblem, problemFrom } from './problem.ts'
import type {
  Balance, ConnectedAccounts, Connection, ConnectionStatus, CreateConnectionRequest, CreatedConnection, CreateTransactionsRequest, Jwks, Page,
  ProviderSelectionAnswer, SandboxAuthorizeRequest, SandboxClock, TokenResponse, TransactionsRequest, TransactionsRequestCompleted,
  TransactionsRequestFailed, UserInfo, WebhookDelivery, WebhookDeliveryStatus, WebhookEventType,
} from './types.ts'

export * from './types.ts'
export { LedgeriteProblem } from './problem.ts'
export { type HeadersLike, type VerifyWebhookInput, verifyWebhook, WebhookVerificationError } from './webhooks.ts'

export interface LedgeriteClientOptions {
  /** Where Ledgerite runs, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string
  clientId: string
  clientSecret: string
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch
  /** Renew the cached token this many seconds before it expires (default 60). */
  tokenLeewaySeconds?: number
}

/** Headers a data call may carry. */
export interface DataCallOptions {
  /** The end user's IP (`Tl-User-IP`): lifts the limit of 4 unattended calls per connection and endpoint a day. */
  userIp?: string
}

export interface WaitOptions extends DataCallOptions {
  /** Between two reads (default 100 ms). */
  intervalMs?: number
  /** Give up after this long (default 30 s). */
  timeoutMs?: number
}

interface RequestOptions {
  body?: unknown
  /** Form fields (the token endpoint). */
  form?: Record<string, string>
  query?: Record<string, string | number | undefined>
  headers?: Record<string, string | undefined>
  auth?: boolean
}

/**
 * A typed client for Ledgerite: token, connections, data, sandbox control and webhook deliveries. Every method
 * resolves with the response body as the wire has it (snake_case) and rejects with a LedgeriteProblem for any
 * non-2xx answer. The access token is fetched on first use and cached until shortly before it expires.
 */
export class LedgeriteClient {
  readonly baseUrl: string
  private readonly clientId: string
  private readonly clientSecret: string
  private readonly doFetch: typeof fetch
  private readonly leewayMs: number
  private cached: { token: string, renewAt: number } | undefined
  private pending: Promise<string> | undefined

  constructor (options: LedgeriteClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '')
    this.clientId = options.clientId
    this.clientSecret = options.clientSecret
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init))
    this.leewayMs = (options.tokenLeewaySeconds ?? 60) * 1000
  }

  /** A bearer token with the `data` scope: the cached one, or a new one when it is close to expiring. */
  async token (): Promise<string> {
    if (this.cached && Date.now() < this.cached.renewAt) return this.cached.token
    // Concurrent callers share one token request.
    this.pending ??= (async () => {
      try {
        const res = await this.request<TokenResponse>('POST', '/connect/token', {
          auth: false,
          form: { grant_type: 'client_credentials', client_id: this.clientId, client_secret: this.clientSecret, scope: 'data' },
        })
        const lifetimeMs = res.expires_in * 1000
        this.cached = { token: res.access_token, renewAt: Date.now() + Math.max(lifetimeMs - this.leewayMs, lifetimeMs / 2) }
        return res.access_token
      } finally {
        this.pending = undefined
      }
    })()
    return this.pending
  }

  readonly connections = {
    create: (body: CreateConnectionRequest, options: DataCallOptions & { deviceUserAgent?: string } = {}) =>
      this.request<CreatedConnection>('POST', '/v3/data-connections', {
        body,
        headers: { 'Tl-User-IP': options.userIp, 'X-Device-User-Agent': options.deviceUserAgent },
      }),
    /** Extension. */
    get: (connectionId: string) => this.request<Connection>('GET', `/v3/data-connections/${enc(connectionId)}`),
    /** Extension: newest first. */
    list: (query: { limit?: number, cursor?: string, status?: ConnectionStatus } = {}) =>
      this.request<Page<Connection>>('GET', '/v3/data-connections', { query }),
    /** Extension: status `revoked`, webhook `connection_revoked`. */
    revoke: async (connectionId: string): Promise<void> => {
      await this.request<void>('DELETE', `/v3/data-connections/${enc(connectionId)}`)
    },
    /** Extension, configuration 5b: submit the provider the user chose; answers the redirect to the bank. */
    selectProvider: (connectionId: string, providerId: string) =>
      this.request<ProviderSelectionAnswer>('POST', `/v3/data-connections/${enc(connectionId)}/authorization-flow/actions/provider-selection`, { body: { provider_id: providerId } }),
  }

  readonly data = {
    userInfo: (connectionId: string, options: DataCallOptions = {}) =>
      this.request<UserInfo>('GET', `/v3/data-connections/${enc(connectionId)}/user-info`, { headers: { 'Tl-User-IP': options.userIp } }),
    accounts: (connectionId: string, options: DataCallOptions & { type?: 'account' | 'card' } = {}) =>
      this.request<ConnectedAccounts>('GET', '/v3/connected-accounts', { query: { type: options.type }, headers: dataHeaders(connectionId, options) }),
    /** Extension: amounts in minor units. */
    balance: (connectionId: string, accountId: string, options: DataCallOptions = {}) =>
      this.request<Balance>('GET', `/v3/connected-accounts/${enc(accountId)}/balance`, { headers: dataHeaders(connectionId, options) }),
    createTransactionsRequest: (connectionId: string, accountId: string, body: CreateTransactionsRequest, options: DataCallOptions = {}) =>
      this.request<{ id: string, status: 'pending' }>('POST', `/v3/connected-accounts/${enc(accountId)}/transactions/requests`, { body, headers: dataHeaders(connectionId, options) }),
    getTransactionsRequest: (connectionId: string, accountId: string, requestId: string, options: DataCallOptions = {}) =>
      this.request<TransactionsRequest>('GET', `/v3/connected-accounts/${enc(accountId)}/transactions/requests/${enc(requestId)}`, { headers: dataHeaders(connectionId, options) }),
    /**
     * Polls a transactions request until it is completed or failed (reading one does not count towards the
     * unattended limit). Rejects if it is still pending after `timeoutMs`.
     */
    waitForTransactions: async (connectionId: string, accountId: string, requestId: string, options: WaitOptions = {}): Promise<TransactionsRequestCompleted | TransactionsRequestFailed> => {
      const deadline = Date.now() + (options.timeoutMs ?? 30_000)
      for (;;) {
        const r = await this.data.getTransactionsRequest(connectionId, accountId, requestId, options)
        if (r.status !== 'pending') return r
        if (Date.now() >= deadline) throw new Error(`Transactions request ${requestId} is still pending after ${options.timeoutMs ?? 30_000} ms.`)
        await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100))
      }
    },
  }

  /** Sandbox control (extension; 404 when the server runs with SANDBOX_CONTROL=off). */
  readonly sandbox = {
    /** Completes a journey without a browser, through the same transitions and webhooks as a user would. */
    authorize: (connectionId: string, body: SandboxAuthorizeRequest) =>
      this.request<Connection>('POST', `/sandbox/v3/data-connections/${enc(connectionId)}/authorize`, { body }),
    /** Moves this client's virtual clock forward by an ISO-8601 duration (`P90D`, `PT36H`, `P1DT12H`, `P13W`). */
    advanceClock: (by: string) => this.request<SandboxClock>('POST', '/sandbox/clock/advance', { body: { by } }),
    clock: () => this.request<SandboxClock>('GET', '/sandbox/clock'),
    resetClock: () => this.request<SandboxClock>('POST', '/sandbox/clock/reset'),
    /** Deletes this client's connections, requests, counters and webhook events, and resets its clock. */
    reset: async (): Promise<void> => {
      await this.request<void>('POST', '/sandbox/reset')
    },
  }

  /** Webhook delivery log (extension) and the key set deliveries are signed with. */
  readonly webhooks = {
    deliveries: (query: { limit?: number, cursor?: string, type?: WebhookEventType, status?: WebhookDeliveryStatus } = {}) =>
      this.request<Page<WebhookDelivery>>('GET', '/v3/webhook-deliveries', { query }),
    redeliver: (eventId: string) => this.request<WebhookDelivery>('POST', `/v3/webhook-deliveries/${enc(eventId)}/redeliver`),
    /** The JWKS at `/.well-known/jwks` (the `jku` of every webhook signature). */
    jwks: () => this.request<Jwks>('GET', '/.well-known/jwks', { auth: false }),
    /** The `jku` Ledgerite's signatures carry: allow-list it in your receiver. */
    jku: () => `${this.baseUrl}/.well-known/jwks`,
  }

  private async request<T> (method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const url = new URL(this.baseUrl + path)
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v))
    const headers: Record<string, string> = { accept: 'application/json' }
    for (const [k, v] of Object.entries(options.headers ?? {})) if (v !== undefined) headers[k] = v
    let body: string | undefined
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded'
      body = new URLSearchParams(options.form).toString()
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(options.body)
    }
    if (options.auth !== false) headers.authorization = `Bearer ${await this.token()}`

    const res = await this.doFetch(url, { method, headers, ...(body !== undefined ? { body } : {}) })
    const text = await res.text()
    if (res.ok) return (text ? JSON.parse(text) : undefined) as T

    let parsed: unknown
    try { parsed = text ? JSON.parse(text) : undefined } catch { parsed = undefined }
    const responseHeaders: Record<string, string> = {}
    res.headers.forEach((value, name) => { responseHeaders[name] = value })
    // A token revoked or expired early (e.g. the server's keys changed): forget it so the next call gets a new one.
    if (res.status === 401 && options.auth !== false) this.cached = undefined
    throw new LedgeriteProblem(problemFrom(res.status, res.statusText, parsed, res.headers.get('tl-trace-id') ?? ''), `${method} ${path}`, responseHeaders)
  }
}

const enc = encodeURIComponent
const dataHeaders = (connectionId: string, options: DataCallOptions) => ({ 'Connection-Id': connectionId, 'Tl-User-IP': options.userIp })

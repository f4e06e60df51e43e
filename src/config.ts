import { DEFAULT_WEBHOOK_ALLOWED_NETWORKS, parseWebhookAllowedNetworks, type WebhookDestinationPolicy } from './modules/webhooks/webhook.destination.ts'

/**
 * Configuration, read from the environment once at start and validated as a whole: every bad value is reported
 * at once, each with its variable name and what was expected. Nothing else in the code reads `process.env`.
 */
export interface Config {
  readonly port: number
  readonly host: string
  readonly databaseUrl: string
  readonly publicUrl: string
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  readonly redisUrl: string | undefined
  /** Prefix of every Redis key Ledgerite writes, so several deployments (or test runs) can share one Redis. */
  readonly redisKeyPrefix: string
  /** `SANDBOX_CONTROL=off` removes every /sandbox route (404), for teams that self-host. */
  readonly sandboxControl: boolean
  /** Calls allowed per connection and endpoint in a rolling 24 h without `Tl-User-IP`. */
  readonly unattendedLimit: number
  /** How long failed webhook deliveries are retried, in seconds. */
  readonly webhookRetryHorizonSeconds: number
  /** Which addresses webhook deliveries may reach (`WEBHOOK_ALLOWED_NETWORKS`; see webhook.destination.ts). */
  readonly webhookDestinations: WebhookDestinationPolicy
  /** An external model bank (another Ledgerite's /model-bank); unset: the in-process one. */
  readonly modelBankUrl: string | undefined
  /** The client credentials that external bank issued to this Ledgerite (MODEL_BANK_CLIENT_ID / _SECRET). */
  readonly modelBankClient: { clientId: string, clientSecret: string } | undefined
  /** Background workers (transactions requests, webhooks). Tests may switch them off and drive them by hand. */
  readonly workers: boolean
  /** Failed sign-ins (token endpoint, Console) allowed per client id and per source address in a minute; then 429. */
  readonly authFailureLimit: number
  /** When set, GET /metrics answers only to `Authorization: Bearer <this>`. */
  readonly metricsToken: string | undefined
  /** A request must arrive whole (headers and body) within this many milliseconds; slower sockets are closed. */
  readonly requestTimeoutMs: number
  /**
   * Which proxies' X-Forwarded-For to believe for the client's address (Fastify's `trustProxy`): false (the default:
   * the socket's address), true, a number of hops, or addresses/CIDRs. Behind a proxy, set it: otherwise every
   * client shares the proxy's address, and one client's failed sign-ins throttle them all.
   */
  readonly trustProxy: boolean | number | string[]
}

export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = []

  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected a whole number from ${min} to ${max}`)
      return fallback
    }
    return n
  }

  const port = int('PORT', 3000, 0, 65535)
  const host = env.HOST || '127.0.0.1'

  const databaseUrl = env.DATABASE_URL || 'sqlite:./data/ledgerite.db'
  if (!/^sqlite:.+/.test(databaseUrl) && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    problems.push(`DATABASE_URL=${JSON.stringify(databaseUrl)}: expected sqlite:<path>, sqlite::memory: or postgres://user@host:port/db`)
  }

  let publicUrl = env.PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  try {
    const u = new URL(publicUrl)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol')
    publicUrl = publicUrl.replace(/\/+$/, '')
  } catch {
    problems.push(`PUBLIC_URL=${JSON.stringify(env.PUBLIC_URL)}: expected an absolute http(s) URL such as http://127.0.0.1:3000`)
  }

  const logLevel = (env.LOG_LEVEL || 'info') as Config['logLevel']
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL=${JSON.stringify(env.LOG_LEVEL)}: expected one of ${LOG_LEVELS.join(', ')}`)

  const redisUrl = env.REDIS_URL || undefined
  if (redisUrl && !/^rediss?:\/\/.+/.test(redisUrl)) problems.push(`REDIS_URL=${JSON.stringify(redisUrl)}: expected redis://host:port`)
  const redisKeyPrefix = env.REDIS_KEY_PREFIX ?? 'ledgerite:'
  if (!/^[A-Za-z0-9:._-]{0,64}$/.test(redisKeyPrefix)) problems.push(`REDIS_KEY_PREFIX=${JSON.stringify(redisKeyPrefix)}: expected up to 64 letters, digits, ':', '.', '_' or '-'`)

  const sandboxRaw = (env.SANDBOX_CONTROL || 'on').toLowerCase()
  if (!['on', 'off'].includes(sandboxRaw)) problems.push(`SANDBOX_CONTROL=${JSON.stringify(env.SANDBOX_CONTROL)}: expected on or off`)

  const workersRaw = (env.WORKERS || 'on').toLowerCase()

  const authFailureLimit = int('AUTH_FAILURE_LIMIT', 20, 1, 1_000_000)
  const metricsToken = env.METRICS_TOKEN || undefined
  if (metricsToken && !/^[A-Za-z0-9._~+/=-]{16,256}$/.test(metricsToken)) {
    problems.push('METRICS_TOKEN: expected 16 to 256 characters of A-Z a-z 0-9 . _ ~ + / = - (for example: openssl rand -hex 32)')
  }
  const requestTimeoutMs = int('REQUEST_TIMEOUT_MS', 20_000, 100, 600_000)
  const trustProxyRaw = (env.TRUST_PROXY || 'false').trim()
  let trustProxy: boolean | number | string[] = false
  if (/^(true|false)$/i.test(trustProxyRaw)) trustProxy = trustProxyRaw.toLowerCase() === 'true'
  else if (/^\d{1,2}$/.test(trustProxyRaw)) trustProxy = Number(trustProxyRaw)
  else {
    trustProxy = trustProxyRaw.split(',').map((s) => s.trim()).filter(Boolean)
    const bad = trustProxy.filter((s) => !/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(s))
    if (bad.length > 0 || trustProxy.length === 0) problems.push(`TRUST_PROXY=${JSON.stringify(env.TRUST_PROXY)}: expected false, true, a number of proxy hops, or proxy addresses/CIDRs separated by commas`)
  }
  if (!['on', 'off'].includes(workersRaw)) problems.push(`WORKERS=${JSON.stringify(env.WORKERS)}: expected on or off`)

  const unattendedLimit = int('UNATTENDED_ACCESS_LIMIT', 4, 1, 1_000_000)
  const webhookRetryHorizonSeconds = int('WEBHOOK_RETRY_HORIZON_SECONDS', 72 * 3600, 1, 30 * 24 * 3600)
  const destinations = parseWebhookAllowedNetworks(env.WEBHOOK_ALLOWED_NETWORKS || DEFAULT_WEBHOOK_ALLOWED_NETWORKS)
  for (const p of destinations.problems) problems.push(`WEBHOOK_ALLOWED_NETWORKS=${JSON.stringify(env.WEBHOOK_ALLOWED_NETWORKS)}: ${p}`)

  const modelBankUrl = env.MODEL_BANK_URL ? env.MODEL_BANK_URL.replace(/\/+$/, '') : undefined
  if (modelBankUrl && !/^https?:\/\/.+/.test(modelBankUrl)) problems.push(`MODEL_BANK_URL=${JSON.stringify(modelBankUrl)}: expected an http(s) URL ending in /model-bank`)
  const bankClientId = env.MODEL_BANK_CLIENT_ID || undefined
  const bankClientSecret = env.MODEL_BANK_CLIENT_SECRET || undefined
  if (Boolean(bankClientId) !== Boolean(bankClientSecret)) problems.push('MODEL_BANK_CLIENT_ID and MODEL_BANK_CLIENT_SECRET: set both (the credentials the bank at MODEL_BANK_URL issued), or neither')

  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze({
    port,
    host,
    databaseUrl,
    publicUrl,
    logLevel,
    redisUrl,
    redisKeyPrefix,
    sandboxControl: sandboxRaw === 'on',
    unattendedLimit,
    webhookRetryHorizonSeconds,
    webhookDestinations: destinations.policy,
    workers: workersRaw === 'on',
    authFailureLimit,
    metricsToken,
    requestTimeoutMs,
    trustProxy,
    modelBankUrl,
    modelBankClient: bankClientId && bankClientSecret ? { clientId: bankClientId, clientSecret: bankClientSecret } : undefined,
  })
}

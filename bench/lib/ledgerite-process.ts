import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'

/**
 * Running Ledgerite as a real child process, the way a user runs it (`ledgerite start`), for the benchmark, the
 * crash test and the two-process test. Only 127.0.0.1; every wait is bounded.
 */
export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'

export function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

/** How long a server may take to answer /healthz; BENCH_READY_SECONDS raises it on a machine too busy to start in time. */
const READY_TIMEOUT_MS = Number(process.env.BENCH_READY_SECONDS ?? 60) * 1000

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export interface LedgeriteProcess {
  pid: number
  url: string
  port: number
  child: ChildProcess
  /** Everything the process wrote to stderr (and stdout), for error messages. */
  output: () => string
  /** Resolves with the exit code/signal once the process is gone. */
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop: (graceMs?: number) => Promise<void>
  /** SIGKILL now: no drain, no cleanup (the crash test). */
  kill: () => Promise<void>
  /** Resident set size of the server process in bytes (VmRSS from /proc/<pid>/status). */
  rss: () => number
}

export interface StartOptions {
  databaseUrl: string
  port?: number
  env?: Record<string, string>
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeArgs?: string[]
  readyTimeoutMs?: number
  /** Run the built package (`bin/ledgerite.js`, dist/) as `npm start` does, instead of the sources through tsx. */
  fromDist?: boolean
}

/** Starts `ledgerite start` and waits until /healthz answers (bounded). */
export async function startLedgerite (options: StartOptions): Promise<LedgeriteProcess> {
  const port = options.port ?? await freePort()
  const url = `http://127.0.0.1:${port}`
  const entry = options.fromDist ? ['bin/ledgerite.js', 'start'] : ['--import', 'tsx', 'src/cli.ts', 'start']
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: options.databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (b: Buffer) => { out = (out + b.toString()).slice(-20_000) }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  let gone = false
  void exited.then(() => { gone = true })

  const deadline = Date.now() + (options.readyTimeoutMs ?? READY_TIMEOUT_MS)
  for (;;) {
    if (gone) throw new Error(`Ledgerite exited before it was ready:\n${out}`)
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })
      if (res.ok) break
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`Ledgerite did not answer /healthz within ${options.readyTimeoutMs ?? READY_TIMEOUT_MS} ms:\n${out}`)
    }
    await sleep(100)
  }

  const pid = child.pid!
  return {
    pid,
    url,
    port,
    child,
    output: () => out,
    exited,
    stop: async (graceMs = 15_000) => {
      if (gone) return
      child.kill('SIGTERM')
      const t = setTimeout(() => { if (!gone) child.kill('SIGKILL') }, graceMs)
      await exited
      clearTimeout(t)
    },
    kill: async () => {
      if (gone) return
      child.kill('SIGKILL')
      await exited
    },
    rss: () => rssOf(pid),
  }
}

export function rssOf (pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  if (!m) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(m[1]) * 1024
}

export interface RegisteredClient { client_id: string, client_secret: string }

/** `ledgerite clients create …` through the CLI, on the same database as the server. */
export function createClientCli (
  databaseUrl: string,
  input: { name: string, redirectUris?: string[], webhookUri?: string, aispLicence?: boolean },
): RegisteredClient {
  const args = ['--import', 'tsx', 'src/cli.ts', 'clients', 'create', '--name', input.name]
  for (const u of input.redirectUris ?? ['https://your-app.com/callback']) args.push('--redirect-uri', u)
  if (input.webhookUri) args.push('--webhook-uri', input.webhookUri)
  if (input.aispLicence) args.push('--aisp-licence')
  const r = spawnSync(process.execPath, args, {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: READY_TIMEOUT_MS,
  })
  if (r.status !== 0) throw new Error(`ledgerite clients create failed (${r.status}): ${r.stderr}`)
  return JSON.parse(r.stdout) as RegisteredClient
}

/** A `data` token from POST /connect/token (form-encoded, as real clients send it). */
export async function dataToken (url: string, c: RegisteredClient): Promise<string> {
  const res = await fetch(`${url}/connect/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.client_id, client_secret: c.client_secret, scope: 'data' }),
  })
  const body = await res.json() as { access_token?: string }
  if (!res.ok || !body.access_token) throw new Error(`token: ${res.status} ${JSON.stringify(body)}`)
  return body.access_token
}

export interface ApiResponse<T = Record<string, unknown>> { status: number, body: T, headers: Headers }

/** GET /v3/data-connections/{id} (extension), the members the scripts compare. */
export interface ConnectionView {
  id: string
  status: string
  user?: { id?: string, name?: string, email?: string, phone?: string }
  scopes: string[]
  metadata?: Record<string, string>
  data_access_type: string
}

/** One JSON call to the API; never throws on an HTTP status, only on a network failure or timeout. */
export async function call<T = Record<string, unknown>> (
  url: string,
  method: string,
  path: string,
  options: { token?: string, body?: unknown, headers?: Record<string, string>, timeoutMs?: number } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  })
  const text = await res.text()
  let body: unknown = text
  try { body = text ? JSON.parse(text) : undefined } catch { /* not JSON */ }
  return { status: res.status, body: body as T, headers: res.headers }
}

/** A fresh SQLite file in a temporary directory, removed by `drop`. */
export function tempSqlite (label: string): { databaseUrl: string, drop: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `ledgerite-${label}-`))
  return { databaseUrl: `sqlite:${join(dir, 'ledgerite.db')}`, drop: () => rmSync(dir, { recursive: true, force: true }) }
}

/** True when PostgreSQL answers at PG_ADMIN_URL within a second. */
export async function postgresReachable (): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 1000 })
  try {
    await c.connect()
    await c.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await c.end().catch(() => {})
  }
}

/** A fresh PostgreSQL database `ledgerite_<label>_<random>`, dropped (forcibly) by `drop`. */
export async function tempPostgres (label: string): Promise<{ databaseUrl: string, drop: () => Promise<void> }> {
  const name = `ledgerite_${label}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 })
  await admin.connect()
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const u = new URL(PG_ADMIN_URL)
  u.pathname = `/${name}`
  return {
    databaseUrl: u.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 })
      await a.connect()
      try {
        await a.query(`drop database if exists ${name} with (force)`)
      } finally {
        await a.end()
      }
    },
  }
}

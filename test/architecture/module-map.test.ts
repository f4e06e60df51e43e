import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { test } from 'node:test'
import { RESET_TABLES } from '../../src/modules/sandbox/sandbox.reset.ts'

/**
 * The module map (README, "Design notes"): who may import whom in src/. Every import of every src/**\/*.ts file
 * (static, re-export and dynamic) is read and checked against RULES; a forbidden import
 * fails with the file, the import and the rule it breaks.
 */

const SRC = resolve('src')

interface Import {
  /** The importing file, relative to src/ with forward slashes: `modules/journey/bank-step.ts`. */
  from: string
  /** A file inside src/ (`modules/connections/connection.policy.ts`), or a package name (`ioredis`, `node:fs`). */
  to: string
  /** `import type …` / `export type …`: erased at build time, so it loads nothing. */
  typeOnly: boolean
}

function sourceFiles (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(path)
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : []
  })
}

const rel = (file: string) => relative(SRC, file).split(sep).join('/')

// TypeScript 7 ships no compiler API to parse with, so imports are read from statements that start a line (how
// every file here is formatted) and from import() calls.
const STATEMENT = /^(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*['"]([^'"]+)['"]/gm
const SIDE_EFFECT = /^import\s+['"]([^'"]+)['"]/gm
const DYNAMIC = /(typeof\s+)?\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

const TABLE_QUERY = /\b(?:selectFrom|updateTable|insertInto|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin)\(\s*(?:\w+\s+as\s+)?'([a-z_]+)'/g

function importsOf (file: string): Import[] {
  const text = readFileSync(file, 'utf8')
  const found: Import[] = []
  const add = (specifier: string, typeOnly: boolean) => {
    const to = specifier.startsWith('.') ? rel(resolve(dirname(file), specifier)) : packageName(specifier)
    found.push({ from: rel(file), to, typeOnly })
  }
  for (const m of text.matchAll(STATEMENT)) {
    const clause = m[3]!.trim()
    // `import { type A, type B } from …` loads nothing either.
    const names = /^\{([^}]*)\}$/.exec(clause)?.[1]?.split(',').map((n) => n.trim()).filter(Boolean)
    const allTypes = m[2] !== undefined || (names !== undefined && names.length > 0 && names.every((n) => n.startsWith('type ')))
    add(m[4]!, allTypes)
  }
  for (const m of text.matchAll(SIDE_EFFECT)) add(m[1]!, false)
  // `typeof import('x')` names a type; a bare import() loads the module.
  for (const m of text.matchAll(DYNAMIC)) add(m[2]!, m[1] !== undefined)
  // A write to the connections table counts as an import of it, so the map can say who may write it.
  if (/(updateTable|insertInto|deleteFrom)\(\s*'connections'\s*\)/.test(text)) found.push({ from: rel(file), to: 'writes:connections', typeOnly: false })
  // So does every query of a table (`table:<name>`), so the map can say which module owns it. A table named through
  // a cast (`deleteFrom(table as 'connections')`, the sandbox reset's loop) counts as that table.
  for (const m of text.matchAll(TABLE_QUERY)) found.push({ from: rel(file), to: `table:${m[1]}`, typeOnly: false })
  return found
}

function packageName (specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

const isInside = (to: string, ...dirs: string[]) => dirs.some((d) => to === d || to.startsWith(`${d}/`))
const isServerFile = (to: string) => to.endsWith('.ts')

interface Rule {
  name: string
  /** Files the rule constrains. */
  applies: (from: string) => boolean
  /** True when the import is forbidden for such a file. */
  forbids: (i: Import) => boolean
}

/** What the test client may use of the server: the app, its wiring and storage, and how to register a client. */
const TESTING_MAY_IMPORT = new Set([
  'app.ts', 'config.ts', 'deps.ts', 'storage/create-db.ts', 'storage/database.ts', 'storage/migrate.ts',
  'modules/auth/client.repository.ts',
])

/**
 * Which module of src/modules/ may import which other (README, "Module map"). The bank step belongs to connections
 * and the provider adapter: the journey renders pages and calls connection commands; connections make every status
 * change and reach banks only through providers/; sandbox/ reaches a bank's sandbox calls through its own port;
 * the model bank is a bank, not Ledgerite. An import between two modules not listed here fails the test.
 */
const MODULE_MAP: Record<string, readonly string[]> = {
  providers: [],
  // The clock's offset is a column of the client's row (auth owns the clients table).
  clock: ['auth'],
  'model-bank': ['providers'],
  home: ['model-bank'],
  // The queue-depth gauge counts webhooks' pending events through its repository.
  ops: ['webhooks'],
  // client.repository reads the extension webhook types a client subscribes to; webhooks check URIs and sign with auth's keys.
  auth: ['webhooks'],
  webhooks: ['auth'],
  connections: ['auth', 'providers', 'webhooks'],
  journey: ['auth', 'connections', 'providers'],
  sandbox: ['auth', 'connections', 'providers'],
  data: ['connections', 'providers', 'webhooks'],
  console: ['auth', 'connections', 'data', 'journey', 'providers', 'webhooks'],
}

const moduleOf = (path: string): string | undefined => /^modules\/([^/]+)\//.exec(path)?.[1]

/**
 * Which module owns each table (README, "Module map"): only that module's files query it; any other module asks
 * the owner's repository. A table of storage/database.ts missing here fails the test, so a new one gets an owner.
 */
const TABLE_OWNERS: Record<string, string> = {
  // The client registry: a client's row (its clock offset and webhook settings included), branding, keys, throttle.
  clients: 'auth',
  client_branding: 'auth',
  signing_keys: 'auth',
  auth_failures: 'auth',
  connections: 'connections',
  connection_events: 'connections',
  // The bank trip (state, PKCE verifier) of a connection's authorisation.
  journey_states: 'connections',
  journey_sessions: 'journey',
  console_sessions: 'console',
  transactions_requests: 'data',
  rate_limit_keys: 'data',
  rate_limit_hits: 'data',
  bank_snapshots: 'data',
  webhook_events: 'webhooks',
  webhook_attempts: 'webhooks',
  bank_consents: 'model-bank',
  bank_codes: 'model-bank',
  bank_tokens: 'model-bank',
  bank_tpps: 'model-bank',
}

/**
 * The one exception: `POST /sandbox/reset` deletes a client's rows from every table in RESET_TABLES in one
 * transaction, by design (a reset that asked each owner in turn could not be one unit of work without every
 * repository taking the transaction just for it). test/sandbox/reset.test.ts holds that list complete.
 */
const RESET_FILE = 'modules/sandbox/sandbox.reset.ts'
const tableOf = (to: string): string | undefined => /^table:(.+)$/.exec(to)?.[1]

const RULES: Rule[] = [
  {
    name: 'a module imports only the modules the module map allows it (README, "Module map")',
    applies: (from) => moduleOf(from) !== undefined,
    forbids: (i) => {
      const from = moduleOf(i.from)!
      const to = moduleOf(i.to)
      return to !== undefined && to !== from && !(MODULE_MAP[from] ?? []).includes(to)
    },
  },
  {
    name: 'only connections write the connections table, and only its repository and lifecycle (status changes through move())',
    applies: (from) => !['modules/connections/connection.repository.ts', 'modules/connections/connection.lifecycle.ts'].includes(from),
    forbids: (i) => i.to === 'writes:connections',
  },
  {
    name: 'a table is queried only by the module that owns it (TABLE_OWNERS); others call its repository',
    applies: (from) => !isInside(from, 'storage/migrations'),
    forbids: (i) => {
      const table = tableOf(i.to)
      if (table === undefined) return false
      if (i.from === RESET_FILE && (RESET_TABLES as readonly string[]).includes(table)) return false
      return TABLE_OWNERS[table] === undefined || moduleOf(i.from) !== TABLE_OWNERS[table]
    },
  },
  {
    name: 'contract/ is the wire contract only: it imports nothing from modules, http, storage or Fastify',
    applies: (from) => isInside(from, 'contract'),
    forbids: (i) => isServerFile(i.to) ? !isInside(i.to, 'contract') : i.to === 'fastify' || i.to.startsWith('@fastify/'),
  },
  {
    name: 'storage/ imports no module, no http layer and no wiring (modules use storage, never the reverse)',
    applies: (from) => isInside(from, 'storage'),
    forbids: (i) => isServerFile(i.to) && !isInside(i.to, 'storage', 'contract'),
  },
  {
    name: 'only storage/create-db.ts loads the database drivers (better-sqlite3, pg)',
    applies: (from) => from !== 'storage/create-db.ts',
    forbids: (i) => (i.to === 'better-sqlite3' || i.to === 'pg') && !i.typeOnly,
  },
  {
    name: 'ioredis is loaded only in storage/ (storage/redis.ts); elsewhere only its types are named',
    applies: (from) => !isInside(from, 'storage'),
    forbids: (i) => i.to === 'ioredis' && !i.typeOnly,
  },
  {
    name: 'the model bank imports nothing from connections, journey, auth or data: it is a bank, not Ledgerite',
    applies: (from) => isInside(from, 'modules/model-bank'),
    forbids: (i) => isInside(i.to, 'modules/connections', 'modules/journey', 'modules/auth', 'modules/data'),
  },
  {
    name: 'modules and http/ name the wiring\'s types only (Deps, Worker): deps.ts, workers.ts and app.ts are built from them, never loaded by them',
    applies: (from) => isInside(from, 'modules', 'http'),
    forbids: (i) => ['deps.ts', 'workers.ts', 'worker-poller.ts', 'app.ts', 'server.ts'].includes(i.to) && !i.typeOnly,
  },
  {
    name: 'client/ (the published API client) imports nothing of the server',
    applies: (from) => isInside(from, 'client'),
    forbids: (i) => isServerFile(i.to) && !isInside(i.to, 'client'),
  },
  {
    name: 'testing/ (the published test kit) uses the server only through the app, its wiring and storage',
    applies: (from) => isInside(from, 'testing'),
    forbids: (i) => isServerFile(i.to) && !isInside(i.to, 'testing', 'client') && !TESTING_MAY_IMPORT.has(i.to),
  },
]

/**
 * Crossings that exist today and are still to be removed, each with why it is there. The test fails on any other
 * crossing, and on an entry here that no longer occurs (delete it then: the rule holds).
 */
const KNOWN_CROSSINGS: Array<{ from: string, to: string, why: string }> = [
]

const ALL_IMPORTS = sourceFiles(SRC).flatMap(importsOf)

test('the import reader sees static, type-only, re-exported and dynamic imports', () => {
  const redis = ALL_IMPORTS.filter((i) => i.from === 'storage/redis.ts')
  assert.ok(redis.some((i) => i.to === 'ioredis' && i.typeOnly), 'storage/redis.ts names the Redis type')
  assert.ok(redis.some((i) => i.to === 'ioredis' && !i.typeOnly), 'storage/redis.ts loads ioredis with import()')
  assert.ok(ALL_IMPORTS.some((i) => i.from === 'storage/create-db.ts' && i.to === 'better-sqlite3' && !i.typeOnly))
  assert.ok(ALL_IMPORTS.length > 500, `only ${ALL_IMPORTS.length} imports read`)
})

test('no import in src/ crosses the module map', () => {
  const crossings = ALL_IMPORTS.flatMap((i) => RULES.filter((r) => r.applies(i.from) && r.forbids(i)).map((r) => ({ ...i, rule: r.name })))
  const known = (c: { from: string, to: string }) => KNOWN_CROSSINGS.some((k) => k.from === c.from && k.to === c.to)
  const forbidden = crossings.filter((c) => !known(c)).map((c) => `${c.from} imports ${c.to}: ${c.rule}`)
  assert.deepEqual([...new Set(forbidden)], [], 'forbidden imports')
  const stale = KNOWN_CROSSINGS.filter((k) => !crossings.some((c) => c.from === k.from && c.to === k.to))
    .map((k) => `${k.from} → ${k.to} no longer crosses the map: remove it from KNOWN_CROSSINGS`)
  assert.deepEqual(stale, [], 'known crossings that are gone')
})

test('the table reader sees queries, joins and the reset loop\'s cast, and every table has an owner', () => {
  const tables = (from: string) => ALL_IMPORTS.filter((i) => i.from === from).map((i) => tableOf(i.to)).filter(Boolean)
  assert.ok(tables('modules/auth/client.repository.ts').includes('clients'))
  assert.ok(tables(RESET_FILE).includes('connections'), 'deleteFrom(table as …) is read')
  assert.ok(ALL_IMPORTS.filter((i) => tableOf(i.to) !== undefined).length > 50)
  // The tables are the keys of storage/database.ts's Database interface.
  const database = readFileSync(join(SRC, 'storage/database.ts'), 'utf8')
  const body = /export interface Database \{([^}]*)\}/.exec(database)?.[1] ?? ''
  const declared = [...body.matchAll(/^\s*([a-z_]+):/gm)].map((m) => m[1]!)
  assert.ok(declared.length > 10, `only ${declared.length} tables read from storage/database.ts`)
  assert.deepEqual(declared.filter((t) => TABLE_OWNERS[t] === undefined), [], 'tables without an owner in TABLE_OWNERS')
  assert.deepEqual(Object.keys(TABLE_OWNERS).filter((t) => !declared.includes(t)), [], 'owners of tables that no longer exist')
})

test('each rule catches what it is written for', () => {
  const caught = (from: string, to: string, typeOnly = false) => RULES.filter((r) => r.applies(from) && r.forbids({ from, to, typeOnly })).length > 0
  assert.ok(caught('contract/errors.ts', 'fastify'))
  assert.ok(caught('contract/errors.ts', 'modules/connections/connection.state.ts'))
  assert.ok(caught('storage/migrate.ts', 'modules/webhooks/webhook.repository.ts'))
  assert.ok(caught('modules/data/data.routes.ts', 'pg'))
  assert.ok(caught('modules/auth/auth-throttle.ts', 'ioredis'))
  assert.ok(caught('deps.ts', 'ioredis'))
  assert.ok(caught('modules/data/data.routes.ts', 'deps.ts'))
  assert.ok(!caught('modules/data/data.routes.ts', 'deps.ts', true))
  assert.ok(caught('http/metrics.ts', 'workers.ts'))
  assert.ok(!caught('modules/auth/auth-throttle.ts', 'ioredis', true))
  assert.ok(caught('modules/model-bank/model-bank.service.ts', 'modules/journey/journey.service.ts'))
  assert.ok(caught('client/index.ts', 'contract/errors.ts'))
  assert.ok(caught('testing/ledgerite.ts', 'modules/connections/connection.repository.ts'))
  assert.ok(!caught('testing/ledgerite.ts', 'deps.ts'))
  assert.ok(caught('modules/connections/connection.service.ts', 'modules/journey/bank-step.ts'))
  assert.ok(caught('modules/journey/bank-step.ts', 'modules/model-bank/mock-users.ts'))
  assert.ok(caught('modules/journey/journey.service.ts', 'modules/sandbox/sandbox.authorize.ts'))
  assert.ok(caught('modules/providers/model-bank.adapter.ts', 'modules/model-bank/mock-users.ts', true), 'a type-only import crosses the map too')
  assert.ok(caught('modules/model-bank/model-bank.service.ts', 'modules/sandbox/sandbox-bank.port.ts'))
  assert.ok(!caught('modules/sandbox/sandbox.authorize.ts', 'modules/connections/connection.authorization.ts'))
  assert.ok(caught('modules/journey/bank-step.ts', 'writes:connections'))
  assert.ok(!caught('modules/connections/connection.lifecycle.ts', 'writes:connections'))
  assert.ok(caught('modules/clock/clock.ts', 'table:clients'))
  assert.ok(caught('modules/connections/connection.authorization.ts', 'table:client_branding'))
  assert.ok(caught('modules/console/console.service.ts', 'table:transactions_requests'))
  assert.ok(caught('modules/ops/ops.routes.ts', 'table:webhook_events'))
  assert.ok(caught('cli.ts', 'table:clients'), 'a file outside every module owns no table')
  assert.ok(caught('modules/data/data.routes.ts', 'table:new_table'), 'a table without an owner')
  assert.ok(!caught('modules/auth/client.repository.ts', 'table:clients'))
  assert.ok(!caught(RESET_FILE, 'table:connections'))
  assert.ok(caught(RESET_FILE, 'table:clients'), 'the reset writes the clock through auth, not by name')
  assert.ok(!caught('storage/migrations/0011_client_branding.ts', 'table:client_branding'))
})

/** Groups of files that import each other in a ring (Tarjan's strongly connected components of more than one file). */
function cycles (imports: Import[]): string[][] {
  const edges = new Map<string, string[]>()
  for (const i of imports) if (isServerFile(i.to)) edges.set(i.from, [...(edges.get(i.from) ?? []), i.to])
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const found: string[][] = []
  const visit = (v: string) => {
    index.set(v, index.size)
    low.set(v, index.get(v)!)
    stack.push(v)
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) !== index.get(v)) return
    const ring: string[] = []
    let w: string
    do { w = stack.pop()!; ring.push(w) } while (w !== v)
    if (ring.length > 1) found.push(ring.sort())
  }
  for (const v of edges.keys()) if (!index.has(v)) visit(v)
  return found
}

test('no import cycle: none among the imports that load code, and the wiring (deps, workers, app) in none at all', () => {
  // A cycle of loading imports makes a file see another half-initialised, depending on which is imported first.
  assert.deepEqual(cycles(ALL_IMPORTS.filter((i) => !i.typeOnly)), [], 'import cycles')
  // Type imports load nothing, but a ring through the wiring ties it to a module both ways. The services deps.ts
  // builds never name Deps; route plugins and workers do, and only app.ts and workers.ts import those.
  const wiring = ['deps.ts', 'workers.ts', 'app.ts', 'server.ts']
  const throughWiring = cycles(ALL_IMPORTS).filter((ring) => ring.some((f) => wiring.includes(f)))
  assert.deepEqual(throughWiring, [], 'cycles through the wiring, type imports included')
})

test('the cycle finder finds a ring and ignores a chain', () => {
  const imp = (from: string, to: string): Import => ({ from, to, typeOnly: false })
  assert.deepEqual(cycles([imp('a.ts', 'b.ts'), imp('b.ts', 'c.ts'), imp('c.ts', 'a.ts'), imp('c.ts', 'd.ts')]), [['a.ts', 'b.ts', 'c.ts']])
  assert.deepEqual(cycles([imp('a.ts', 'b.ts'), imp('b.ts', 'c.ts')]), [])
})

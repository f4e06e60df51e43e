/**
 * Ledgerite quickstart: the whole Data API v3 flow in the terminal, against a running Ledgerite.
 *
 *   npm start                                         # in one terminal
 *   node --import tsx examples/quickstart.ts          # in another: open the printed link, sign in as john / doe
 *   node --import tsx examples/quickstart.ts --sandbox   # no browser: authorise through the sandbox control route
 *
 * Environment: LEDGERITE_URL (default http://127.0.0.1:3000), CLIENT_ID and CLIENT_SECRET (when unset, a client is
 * registered in the database at DATABASE_URL — the server's, by default ./data/ledgerite.db), RETURN_URI (where the
 * browser goes after the journey), WAIT_SECONDS (how long to wait for the user, default 900).
 *
 * Steps: token → create a connection (configuration 1: the hosted pages do everything) → the link to open → wait
 * for authorisation → accounts → balance → a transactions request → one page of transactions.
 */
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { type Account, LedgeriteClient, LedgeriteProblem, type Transaction } from 'ledgerite/client'
import { loadConfig } from '../src/config.ts'
import { checkUri, createClient } from '../src/modules/auth/client.repository.ts'
import { createDb } from '../src/storage/create-db.ts'
import { migrateToLatest } from '../src/storage/migrate.ts'

/** Where a run reads its arguments and environment and writes its output (a test runs it in its own process). */
export interface QuickstartIo {
  args: string[]
  env: Record<string, string | undefined>
  stdout: (text: string) => void
  stderr: (text: string) => void
}

/** How a run ends early: the message is already written; the exit code is what the command would exit with. */
class QuickstartExit extends Error {
  constructor (readonly code: number) { super(`exit ${code}`) }
}

// The run in progress (one at a time): its output, environment and flags.
let io: QuickstartIo
let flags: { sandbox: boolean }
let baseUrl: string
let waitSeconds: number
// The user is at the keyboard: sending their IP as Tl-User-IP marks the calls as attended (no daily limit).
const userIp = '127.0.0.1'
const TOTAL = 7

const out = (line = ''): void => { io.stdout(`${line}\n`) }
const step = (n: number, title: string): void => out(`\n[${n}/${TOTAL}] ${title}`)
const ok = (line: string): void => out(`      ✓ ${line}`)
const info = (line: string): void => out(`        ${line}`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

function fail (message: string): never {
  io.stderr(`\n✗ ${message}\n`)
  throw new QuickstartExit(1)
}

const money = (minor: number, currency: string): string =>
  new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(minor / 100)

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
function table (head: string[], rows: string[][], right: number[] = []): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()
  return [line(head), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].map((l) => `        ${l}`).join('\n')
}

/** Registers a client the way `ledgerite clients create` does, in the same database as the server. */
async function registerClient (returnUri: string): Promise<{ clientId: string, clientSecret: string }> {
  const config = loadConfig(io.env)
  if (config.databaseUrl.includes(':memory:')) {
    fail('CLIENT_ID and CLIENT_SECRET are not set, and DATABASE_URL is in memory, so this script cannot register a client the server would see.\n' +
      '  Register one with: npx ledgerite clients create --name quickstart --redirect-uri https://your-app.com/callback\n' +
      '  then run: CLIENT_ID=… CLIENT_SECRET=… node --import tsx examples/quickstart.ts')
  }
  const problem = checkUri(returnUri)
  if (problem) fail(`RETURN_URI ${returnUri} ${problem}`)
  const db = createDb(config.databaseUrl)
  try {
    await migrateToLatest(db.kysely)
    const { client, secret } = await createClient(db.kysely, { name: 'quickstart', redirectUris: [...new Set([returnUri, 'https://your-app.com/callback'])] })
    return { clientId: client.id, clientSecret: secret }
  } finally {
    await db.close()
  }
}

async function main (): Promise<void> {
  out(`Ledgerite quickstart against ${baseUrl}${flags.sandbox ? ' (--sandbox: no browser needed)' : ''}`)
  try {
    const health = await fetch(`${baseUrl}/healthz`)
    if (!health.ok) fail(`${baseUrl}/healthz answered ${health.status}: is this Ledgerite?`)
  } catch {
    fail(`Nothing answers at ${baseUrl}. Start Ledgerite first (npm start), or set LEDGERITE_URL.`)
  }

  // ── credentials ──
  let clientId = io.env.CLIENT_ID
  let clientSecret = io.env.CLIENT_SECRET
  let created = false
  // After the journey the browser is sent here. A client this script registers gets the Console's page, so the
  // journey ends where its timeline can be read; your own client needs RETURN_URI to be one of its redirect URIs.
  let returnUri = io.env.RETURN_URI
  if (!clientId || !clientSecret) {
    if (clientId || clientSecret) fail('Set both CLIENT_ID and CLIENT_SECRET, or neither (to let this script register a client).')
    returnUri ??= `${baseUrl}/console/connections`
    ;({ clientId, clientSecret } = await registerClient(returnUri))
    created = true
    out(`\nCLIENT_ID and CLIENT_SECRET are not set, so a client was registered in ${loadConfig(io.env).databaseUrl}`)
    out('(what `npx ledgerite clients create --name quickstart …` does). Keep these to run again or to sign in to the Console:')
    info(`CLIENT_ID=${clientId}`)
    info(`CLIENT_SECRET=${clientSecret}`)
  }
  returnUri ??= 'https://your-app.com/callback'
  const client = new LedgeriteClient({ baseUrl, clientId, clientSecret })

  // ── 1. token ──
  step(1, 'Access token (client credentials, scope data)')
  try {
    await client.token()
  } catch (err) {
    if (err instanceof LedgeriteProblem && err.status === 401 && created) {
      fail('The server does not know the client just registered: it uses another database. Run this script with the server\'s ' +
        'DATABASE_URL, or register a client with `npx ledgerite clients create` and pass CLIENT_ID and CLIENT_SECRET.')
    }
    throw err
  }
  ok('POST /connect/token → a bearer token, valid for an hour (the client caches and renews it)')

  // ── 2. create ──
  step(2, 'Create a connection (configuration 1: the hosted pages handle bank choice, consent and the bank)')
  const connection = await client.connections.create({
    scopes: ['info', 'accounts', 'balance', 'transactions'],
    provider_selection: { type: 'user_selected' },
    user: { name: 'Jane Smith', email: 'jane@example.com' },
    user_consent: { type: 'authorization_flow_captured' },
    hosted_page: { type: 'authorization_flow', return_uri: returnUri },
    metadata: { source: 'examples/quickstart.ts' },
  })
  if (connection.status !== 'authorization_required') fail(`Unexpected status ${connection.status}`)
  ok(`POST /v3/data-connections → 201, connection ${connection.id}, status ${connection.status}`)

  // ── 3. the user authorises ──
  step(3, flags.sandbox ? 'Authorise (sandbox control: the same bank step and webhooks, without a browser)' : 'Open the hosted page and authorise')
  if (flags.sandbox) {
    const authorised = await client.sandbox.authorize(connection.id, { outcome: 'authorized', username: 'john' })
    ok(`POST /sandbox/v3/data-connections/${connection.id}/authorize → ${authorised.status}`)
  } else {
    out('\n      Open this link in a browser:\n')
    out(`        ${connection.hosted_page.uri}\n`)
    info('Choose a bank (any: the model bank stands behind all of them), Allow, then at the bank sign in as')
    info('user  john   password  doe   and Allow again. (login.account_temporarily_locked / any shows a failed journey.)')
    info(`Waiting up to ${Math.round(waitSeconds / 60)} min, reading GET /v3/data-connections/${connection.id} …`)
  }

  // ── 4. wait ──
  step(4, 'Wait for authorisation')
  const deadline = Date.now() + waitSeconds * 1000
  let last = ''
  for (;;) {
    const c = await client.connections.get(connection.id)
    if (c.status !== last) {
      ok(`status ${c.status}${c.provider ? ` (${c.provider.display_name})` : ''}`)
      last = c.status
    }
    if (c.status === 'authorized') break
    if (c.status === 'failed' || c.status === 'revoked' || c.status === 'expired') {
      fail(`The connection ended ${c.status}${c.failure_reason ? `: ${c.failure_reason}` : ''}. Run the script again to start over.`)
    }
    if (Date.now() > deadline) fail(`Still ${c.status} after ${waitSeconds} s; giving up (set WAIT_SECONDS to wait longer).`)
    await sleep(1500)
  }

  // ── 5. accounts ──
  step(5, 'Accounts (GET /v3/connected-accounts)')
  const { items } = await client.data.accounts(connection.id, { userIp })
  const accounts = items.filter((a): a is Account => a.type === 'account')
  const identifier = (a: Account): string => a.account_identifiers.map((i) =>
    i.type === 'iban' ? `IBAN ${i.iban}` : `${i.sort_code.replace(/(\d\d)(\d\d)(\d\d)/, '$1-$2-$3')} ${i.account_number}`).join(', ')
  out(table(['account id', 'type', 'currency', 'identifiers'], accounts.map((a) => [a.id, a.account_type, a.currency, identifier(a)])))
  const cards = items.length - accounts.length
  if (cards > 0) info(`and ${cards} card${cards > 1 ? 's' : ''}`)
  const account = accounts.find((a) => a.account_type === 'current') ?? accounts[0] ?? fail('The user shared no bank account (only cards); run again and tick an account at the bank.')

  // ── 6. balance ──
  step(6, `Balance of ${account.account_type} account ${account.id} (extension: GET /v3/connected-accounts/{id}/balance)`)
  const balance = await client.data.balance(connection.id, account.id, { userIp })
  ok(`current ${money(balance.current, balance.currency)}, available ${money(balance.available, balance.currency)}`)

  // ── 7. transactions ──
  step(7, 'Transactions: an asynchronous request, then its first page')
  const to = new Date()
  const from = new Date(to.getTime() - 89 * 86_400_000)
  const day = (d: Date) => d.toISOString().slice(0, 10)
  const request = await client.data.createTransactionsRequest(connection.id, account.id, {
    from: day(from), to: day(to), page_size: 15, enrichment: { transaction_category: true, merchant_name: true },
  }, { userIp })
  ok(`POST …/transactions/requests (${day(from)} to ${day(to)}) → 202, request ${request.id} pending`)
  const result = await client.data.waitForTransactions(connection.id, account.id, request.id, { userIp, intervalMs: 300 })
  if (result.status === 'failed') fail(`The transactions request failed: ${result.failure_reason}`)
  const page: Transaction[] = result.result.items
  ok(`GET …/transactions/requests/${request.id} → completed, ${page.length} transactions on this page` +
    (result.result.pagination.next_cursor ? ' (more: POST again with pagination.next_cursor)' : ''))
  out(table(
    ['date', 'description', 'amount', 'status', 'category'],
    page.map((t) => [t.timestamp.slice(0, 10), t.description.slice(0, 34), money(t.amount_in_minor, t.currency), t.status, t.enrichment?.transaction_category?.category_name ?? '']),
    [2],
  ))

  out('\nDone. Everything that happened to this connection, with its webhooks, is in the Console:')
  info(`${baseUrl}/console/connections/${connection.id}`)
  info(created ? 'Sign in with the CLIENT_ID and CLIENT_SECRET printed above.' : 'Sign in with your client id and secret.')
}

/** One run of the quickstart; answers the exit code (0 done, 1 stopped with a reason on stderr). */
export async function runQuickstart (runIo: QuickstartIo): Promise<number> {
  io = runIo
  const { values } = parseArgs({ args: io.args, options: { sandbox: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } })
  if (values.help) {
    io.stdout('Usage: node --import tsx examples/quickstart.ts [--sandbox]\n\nSee the comment at the top of this file, or README.md "Quickstart example".\n')
    return 0
  }
  flags = { sandbox: values.sandbox ?? false }
  baseUrl = (io.env.LEDGERITE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '')
  waitSeconds = Number(io.env.WAIT_SECONDS || 900)
  try {
    try {
      await main()
    } catch (err) {
      if (err instanceof QuickstartExit) throw err
      if (err instanceof LedgeriteProblem) {
        const fields = err.errors ? Object.entries(err.errors).map(([k, v]) => `\n    ${k}: ${v.join('; ')}`).join('') : ''
        fail(`${err.request} was refused: ${err.status} ${err.title}: ${err.detail}${fields}`)
      }
      fail(err instanceof Error ? (err.stack ?? err.message) : String(err))
    }
    return 0
  } catch (err) {
    if (err instanceof QuickstartExit) return err.code
    throw err
  }
}

// Run as a command (not imported by a test).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runQuickstart({
    args: process.argv.slice(2),
    env: process.env,
    stdout: (text) => { process.stdout.write(text) },
    stderr: (text) => { process.stderr.write(text) },
  })
}

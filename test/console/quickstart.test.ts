import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { runQuickstart } from '../../examples/quickstart.ts'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { createDeps } from '../../src/deps.ts'
import { listClients } from '../../src/modules/auth/client.repository.ts'
import { buildTestApp, type TestApp } from '../helpers/build-app.ts'
import { freePort } from '../helpers/free-port.ts'

/**
 * examples/quickstart.ts, run as a newcomer runs it — against Ledgerite listening on a real port, with its background
 * workers on (the transactions request completes on its own) — but in this process: the script's own entry point
 * (`runQuickstart`) with its arguments, environment and output given, so no second Node.js has to start.
 */
async function live (t: TestContext): Promise<TestApp & { baseUrl: string }> {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const h = await buildTestApp(t, { PUBLIC_URL: baseUrl })
  h.deps.workers.start()
  await h.app.listen({ port, host: '127.0.0.1' })
  return { ...h, baseUrl }
}

interface Run { code: number | null, stdout: string, stderr: string }

/** Runs the quickstart; `onOutput` sees stdout as it grows (to act like the user in the browser). */
async function quickstart (env: Record<string, string>, args: string[] = [], onOutput?: (stdout: string) => void): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = await runQuickstart({
    args,
    env: { WAIT_SECONDS: '60', ...env },
    stdout: (text) => { stdout += text; onOutput?.(stdout) },
    stderr: (text) => { stderr += text },
  })
  return { code, stdout, stderr }
}

const STEPS = ['[1/7] Access token', '[2/7] Create a connection', '[3/7]', '[4/7] Wait for authorisation', '[5/7] Accounts', '[6/7] Balance', '[7/7] Transactions']

function assertWholeFlow (run: Run): string {
  assert.equal(run.code, 0, `exit 0\n${run.stdout}\n${run.stderr}`)
  let at = -1
  for (const s of STEPS) {
    const i = run.stdout.indexOf(s)
    assert.ok(i > at, `"${s}" printed, in order`)
    at = i
  }
  const id = /connection ([0-9a-f-]{36}), status authorization_required/.exec(run.stdout)?.[1]
  assert.ok(id, 'the connection id is printed')
  assert.match(run.stdout, /✓ status authorized/)
  assert.match(run.stdout, /account id\s+type\s+currency\s+identifiers/)
  assert.match(run.stdout, /✓ current -?£[\d,]+\.\d\d, available/)
  assert.match(run.stdout, /→ completed, \d+ transactions on this page/)
  assert.match(run.stdout, /date\s+description\s+amount\s+status\s+category\n\s+─+/)
  assert.match(run.stdout, /\d{4}-\d\d-\d\d {2}.+ {2}-?£[\d,]+\.\d\d {2}(settled|pending)/, 'at least one transaction row')
  assert.match(run.stdout, new RegExp(`/console/connections/${id}`), 'points at the Console timeline')
  return id
}

test('quickstart --sandbox with CLIENT_ID and CLIENT_SECRET: the whole flow, printed step by step', async (t) => {
  const h = await live(t)
  const c = await h.client()
  const run = await quickstart({ LEDGERITE_URL: h.baseUrl, CLIENT_ID: c.id, CLIENT_SECRET: c.secret }, ['--sandbox'])
  const id = assertWholeFlow(run)
  assert.match(run.stdout, /POST \/sandbox\/v3\/data-connections\/.+\/authorize → authorized/)
  assert.ok(!run.stdout.includes(c.secret), 'the secret it was given is not printed')
  const row = await h.deps.db.selectFrom('connections').select(['status', 'client_id']).where('id', '=', id).executeTakeFirstOrThrow()
  assert.deepEqual(row, { status: 'authorized', client_id: c.id })
  const requests = await h.deps.db.selectFrom('transactions_requests').select('status').where('connection_id', '=', id).execute()
  assert.deepEqual(requests, [{ status: 'completed' }])
})

test('quickstart without --sandbox prints the hosted link and waits until the user has authorised', async (t) => {
  const h = await live(t)
  const c = await h.client()
  let acted = false
  const run = await quickstart({ LEDGERITE_URL: h.baseUrl, CLIENT_ID: c.id, CLIENT_SECRET: c.secret }, [], (stdout) => {
    const link = /(http:\/\/127\.0\.0\.1:\d+\/data\/([0-9a-f-]{36})\?token=\S+)/.exec(stdout)
    if (!link || acted || !stdout.includes('Waiting up to')) return
    acted = true
    // The user, in the browser: here the same bank step through the sandbox route, a moment after the link appears.
    setTimeout(() => {
      void h.inject({
        method: 'POST', url: `/sandbox/v3/data-connections/${link[2]}/authorize`,
        headers: { ...c.auth, 'content-type': 'application/json' }, payload: { outcome: 'authorized' },
      }).then((r) => assert.equal(r.statusCode, 200, r.body))
    }, 2000)
  })
  assert.ok(acted, `the hosted link was printed:\n${run.stdout}`)
  assertWholeFlow(run)
  assert.match(run.stdout, /sign in as\s+user {2}john {3}password {2}doe/)
  assert.match(run.stdout, /✓ status authorization_required[\s\S]*✓ status authorized/, 'status changes are reported as they happen')
})

test('quickstart with wrong credentials stops at the token with the server\'s reason', async (t) => {
  const h = await live(t)
  const c = await h.client()
  const run = await quickstart({ LEDGERITE_URL: h.baseUrl, CLIENT_ID: c.id, CLIENT_SECRET: 'wrong' }, ['--sandbox'])
  assert.equal(run.code, 1)
  assert.match(run.stderr, /POST \/connect\/token was refused: 401 invalid_client/)
  const nobody = await quickstart({ LEDGERITE_URL: 'http://127.0.0.1:9', CLIENT_ID: c.id, CLIENT_SECRET: c.secret }, ['--sandbox'])
  assert.equal(nobody.code, 1)
  assert.match(nobody.stderr, /Nothing answers at http:\/\/127\.0\.0\.1:9\. Start Ledgerite first \(npm start\)/)
})

// The script registers its own client in the server's database; SQLite files are what a newcomer has, so this case
// runs on one whatever TEST_DATABASE_URL says.
test('quickstart without credentials registers a client in the server\'s database and says so', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerite-quickstart-'))
  const databaseUrl = `sqlite:${join(dir, 'ledgerite.db')}`
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const deps = await createDeps(loadConfig({ DATABASE_URL: databaseUrl, PUBLIC_URL: baseUrl, LOG_LEVEL: 'silent' }))
  const app = await buildApp(deps)
  deps.workers.start()
  await app.listen({ port, host: '127.0.0.1' })
  t.after(async () => {
    await app.close()
    await deps.workers.stop()
    await deps.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const run = await quickstart({ LEDGERITE_URL: baseUrl, DATABASE_URL: databaseUrl }, ['--sandbox'])
  assertWholeFlow(run)
  assert.match(run.stdout, /CLIENT_ID and CLIENT_SECRET are not set, so a client was registered in sqlite:/)
  const clients = await listClients(deps.db)
  assert.equal(clients.length, 1)
  assert.equal(clients[0]!.name, 'quickstart')
  assert.ok(clients[0]!.redirectUris.includes(`${baseUrl}/console/connections`), 'the journey ends in the Console')
  assert.match(run.stdout, new RegExp(`CLIENT_ID=${clients[0]!.id}`))
  assert.match(run.stdout, /CLIENT_SECRET=[A-Za-z0-9_-]{43}/, 'the new secret is shown once, to sign in to the Console')

  const memory = await quickstart({ LEDGERITE_URL: baseUrl, DATABASE_URL: 'sqlite::memory:' }, ['--sandbox'])
  assert.equal(memory.code, 1)
  assert.match(memory.stderr, /DATABASE_URL is in memory/)
})

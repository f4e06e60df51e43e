import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type TestContext, test } from 'node:test'
import { sql } from 'kysely'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { createDeps } from '../../src/deps.ts'
import { rotateSecret } from '../../src/modules/auth/client-secret.ts'
import { createClient, deleteClient } from '../../src/modules/auth/client.repository.ts'
import { createDb } from '../../src/storage/create-db.ts'
import { buildTestApp, DIALECT, TEST_DATABASE_URL } from '../helpers/build-app.ts'
import { signIn } from '../console/console-helpers.ts'

/** Deleting a client or rotating its secret ends its access tokens at once, remembered signatures included. */

const tokenFor = async (inject: (o: object) => Promise<{ statusCode: number, json: () => { access_token: string } }>, id: string, secret: string) => {
  const res = await inject({ method: 'POST', url: '/connect/token', payload: { grant_type: 'client_credentials', client_id: id, client_secret: secret, scope: 'data' } })
  assert.equal(res.statusCode, 200)
  return `Bearer ${res.json().access_token}`
}

test('a deleted client\'s token is refused at once, though its signature was verified and remembered', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const authorization = await tokenFor(h.inject, c.id, c.secret)
  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization } })).statusCode, 200)
  assert.equal((await h.inject({ method: 'GET', url: '/v3/webhook-deliveries', headers: { authorization } })).statusCode, 200)

  assert.equal(await deleteClient(h.deps.db, c.id), true)
  for (const req of [
    { method: 'GET' as const, url: '/v3/data-connections' },
    { method: 'GET' as const, url: '/v3/webhook-deliveries' },
    { method: 'POST' as const, url: '/sandbox/clock/advance', payload: { by: '1d' } },
  ]) {
    const res = await h.inject({ ...req, headers: { authorization } })
    assert.equal(res.statusCode, 401, `${req.url}: ${res.body}`)
    assert.match(res.json().detail, /revoked: its client was deleted or its secret rotated/)
  }
})

test('rotating the secret: the old secret and every earlier token stop working; the new secret works', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const other = await h.client({ name: 'other' })
  const old = await tokenFor(h.inject, c.id, c.secret)
  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization: old } })).statusCode, 200)

  const secret = await rotateSecret(h.deps.db, c.id)
  assert.ok(secret && secret !== c.secret)
  const refused = await h.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization: old } })
  assert.equal(refused.statusCode, 401)
  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: c.auth })).statusCode, 401, 'tokens issued before the rotation too')
  const oldSecret = await h.inject({ method: 'POST', url: '/connect/token', payload: { grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret, scope: 'data' } })
  assert.equal(oldSecret.statusCode, 401)
  assert.equal(oldSecret.json().error, 'invalid_client')

  const fresh = await tokenFor(h.inject, c.id, secret)
  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization: fresh } })).statusCode, 200)
  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: other.auth })).statusCode, 200, 'another client is untouched')
  assert.equal(await rotateSecret(h.deps.db, 'sandbox-nobody-000000'), undefined)
})

/** Two app processes on one database (a SQLite file, or one PostgreSQL schema), each with its own connections. */
async function twoProcesses (t: TestContext) {
  let url: string
  let schema: string | undefined
  let cleanup: () => Promise<void>
  if (DIALECT === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'ledgerite-revoke-'))
    url = `sqlite:${join(dir, 'ledgerite.db')}`
    cleanup = () => rm(dir, { recursive: true, force: true })
  } else {
    url = TEST_DATABASE_URL
    schema = `t_${randomBytes(6).toString('hex')}`
    const admin = createDb(url)
    await sql`create schema ${sql.id(schema)}`.execute(admin.kysely)
    await admin.close()
    cleanup = async () => {
      const a = createDb(url)
      await sql`drop schema ${sql.id(schema!)} cascade`.execute(a.kysely)
      await a.close()
    }
  }
  const open = () => createDb(url, schema ? { schema } : {})
  const start = async () => {
    const deps = await createDeps(loadConfig({ DATABASE_URL: url, PUBLIC_URL: 'http://ledgerite.test', WORKERS: 'off', LOG_LEVEL: 'silent' }), { db: open() })
    const app = await buildApp(deps)
    await app.ready()
    return { app, deps, inject: (o: object) => app.inject(o as never) }
  }
  const a = await start()
  const b = await start()
  t.after(async () => {
    for (const p of [a, b]) { await p.app.close(); await p.deps.close() }
    await cleanup()
  })
  return { a, b, url, open }
}

test('a rotation made through another connection is seen at once by a process that remembered the token', async (t) => {
  const { a, b, open } = await twoProcesses(t)
  const { client, secret } = await createClient(a.deps.db, { name: 'shared', redirectUris: ['https://your-app.com/callback'] })
  const authorization = await tokenFor(a.inject, client.id, secret)
  assert.equal((await b.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization } })).statusCode, 200)

  // As `ledgerite clients rotate-secret` does: its own connection to the database, no message to the servers.
  const elsewhere = open()
  try {
    assert.ok(await rotateSecret(elsewhere.kysely, client.id))
  } finally {
    await elsewhere.close()
  }
  assert.equal((await b.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization } })).statusCode, 401)
  assert.equal((await a.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization } })).statusCode, 401)
})

function cli (args: string[], env: Record<string, string>): Promise<{ code: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

test('ledgerite clients rotate-secret CLIENT_ID prints the new secret once; the old one, its tokens and Console sessions end', async (t) => {
  // The CLI is tested on a SQLite file whatever the suite's dialect: it is the command that is under test here.
  const dir = await mkdtemp(join(tmpdir(), 'ledgerite-cli-'))
  const url = `sqlite:${join(dir, 'ledgerite.db')}`
  const deps = await createDeps(loadConfig({ DATABASE_URL: url, PUBLIC_URL: 'http://ledgerite.test', WORKERS: 'off', LOG_LEVEL: 'silent' }))
  const app = await buildApp(deps)
  await app.ready()
  t.after(async () => { await app.close(); await deps.close(); await rm(dir, { recursive: true, force: true }) })
  const h = { inject: (o: object) => app.inject(o as never) }
  const { client, secret } = await createClient(deps.db, { name: 'cli', redirectUris: ['https://your-app.com/callback'] })
  const authorization = await tokenFor(h.inject, client.id, secret)
  const session = await signIn({ inject: h.inject } as never, { id: client.id, secret })
  assert.equal((await session.get('/console/settings')).statusCode, 200)

  const run = await cli(['clients', 'rotate-secret', client.id], { DATABASE_URL: url })
  assert.equal(run.code, 0, run.stderr)
  const printed = JSON.parse(run.stdout)
  assert.equal(printed.client_id, client.id)
  assert.match(printed.client_secret, /^[A-Za-z0-9_-]{20,}$/)
  assert.notEqual(printed.client_secret, secret)

  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization } })).statusCode, 401)
  assert.equal((await session.get('/console/settings')).statusCode, 303, 'the Console session signed in with the old secret is over')
  const fresh = await tokenFor(h.inject, client.id, printed.client_secret)
  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization: fresh } })).statusCode, 200)

  const unknown = await cli(['clients', 'rotate-secret', 'sandbox-nobody-000000'], { DATABASE_URL: url })
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /no client sandbox-nobody-000000/)
})

test('Console: Rotate secret shows the new secret once; the old secret, its tokens and other sessions end, this one stays', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const old = await tokenFor(h.inject, c.id, c.secret)
  const here = await signIn(h, c)
  const elsewhere = await signIn(h, c)

  await here.get('/console/settings')
  const forged = await here.post('/console/settings/rotate-secret', {}, { csrf: null })
  assert.equal(forged.statusCode, 403, 'a form without its CSRF token rotates nothing')
  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization: old } })).statusCode, 200)

  await here.get('/console/settings')
  const res = await here.post('/console/settings/rotate-secret', {})
  assert.equal(res.statusCode, 200, res.body)
  assert.equal(res.headers['cache-control'], 'no-store')
  const secret = /id="new-client-secret">([^<]+)</.exec(res.body)?.[1]
  assert.ok(secret && secret !== c.secret, 'the new secret is on the page')

  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization: old } })).statusCode, 401)
  const oldSecret = await h.inject({ method: 'POST', url: '/connect/token', payload: { grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret, scope: 'data' } })
  assert.equal(oldSecret.statusCode, 401)
  const fresh = await tokenFor(h.inject, c.id, secret)
  assert.equal((await h.inject({ method: 'GET', url: '/v3/data-connections', headers: { authorization: fresh } })).statusCode, 200)

  assert.equal((await here.get('/console/settings')).statusCode, 200, 'the session that rotated stays signed in')
  assert.doesNotMatch((await here.get('/console/settings')).body, /new-client-secret/, 'the secret is shown once')
  assert.equal((await elsewhere.get('/console/settings')).statusCode, 303, 'another session is signed out')
})

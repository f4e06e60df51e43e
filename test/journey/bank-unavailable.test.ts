import assert from 'node:assert/strict'
import { test } from 'node:test'
import { beginBankAuthorization } from '../../src/modules/connections/connection.authorization.ts'
import { toConnection } from '../../src/modules/connections/connection.model.ts'
import { findConnection } from '../../src/modules/connections/connection.repository.ts'
import { dataCalls, PRESENT } from '../data/data-kit.ts'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { insertTestConnection, pathOf, throughTheBank } from '../model-bank/bank-kit.ts'

/** The bank's own database hiccuping: the next bank call whose path ends with `pathEnd` answers 503 once. */
function bankAnswers503Once (app: TestApp, pathEnd: string): { answered: () => boolean } {
  const real = app.deps.bankFetch
  let done = false
  app.deps.bankFetch = async (url, init) => {
    if (!done && new URL(url).pathname.endsWith(pathEnd)) {
      done = true
      return {
        status: 503,
        headers: { get: (name: string) => (name.toLowerCase() === 'retry-after' ? '3' : name.toLowerCase() === 'content-type' ? 'application/problem+json' : null) },
        json: async () => ({ title: 'Service Unavailable', detail: 'The database cannot be reached right now. Retry after 3 s.' }),
        text: async () => '{}',
      }
    }
    return real(url, init)
  }
  return { answered: () => done }
}

async function statusOf (app: TestApp, client: TestClient, id: string) {
  const row = await findConnection(app.deps.db, client.id, id)
  assert.ok(row)
  return toConnection(row).status
}

async function toCallback (app: TestApp, client: TestClient) {
  const id = await insertTestConnection(app, client, 5)
  const row = await findConnection(app.deps.db, client.id, id)
  const { uri } = await beginBankAuthorization(app.deps, { connection: toConnection(row!), providerId: 'mock', now: await app.deps.clock.now(client.id) })
  return { id, back: await throughTheBank(app, uri) }
}

test('the bank answering 503 to the code exchange → a "try again" page, the connection not failed; reloading completes it', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const { id, back } = await toCallback(app, client)
  const hiccup = bankAnswers503Once(app, '/token')

  const first = await app.inject({ method: 'GET', url: pathOf(back) })
  assert.ok(hiccup.answered())
  assert.equal(first.statusCode, 503, first.body)
  assert.match(String(first.headers['content-type']), /^text\/html/)
  assert.match(first.body, /reload this page/)
  assert.equal(await statusOf(app, client, id), 'authorizing', 'a bank outage fails nothing')
  const failed = await app.deps.db.selectFrom('webhook_events').select('type').where('client_id', '=', client.id).where('type', '=', 'connection_failed').execute()
  assert.equal(failed.length, 0)

  const again = await app.inject({ method: 'GET', url: pathOf(back) })
  assert.equal(again.statusCode, 303, again.body)
  assert.equal(await statusOf(app, client, id), 'authorized')
})

test('the bank answering 503 to a data call → the API caller gets 503 with Retry-After, and the next call answers', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client()
  const { id, back } = await toCallback(app, client)
  assert.equal((await app.inject({ method: 'GET', url: pathOf(back) })).statusCode, 303)
  const calls = dataCalls(app, client, id)
  bankAnswers503Once(app, '/accounts')

  const res = await calls.accounts('', PRESENT)
  assert.equal(res.statusCode, 503, res.body)
  assert.equal(res.headers['retry-after'], '3')
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/)
  assert.equal(await statusOf(app, client, id), 'authorized')
  const ok = await calls.accounts('', PRESENT)
  assert.equal(ok.statusCode, 200, ok.body)
})

import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { findClient, updateClient } from '../../src/modules/auth/client.repository.ts'
import { CreateConnectionBody } from '../../src/modules/connections/connection.schema.ts'
import { dropUnknownFields } from '../../src/modules/connections/unknown-fields.ts'
import { createDb } from '../../src/storage/create-db.ts'
import { signIn } from '../console/console-helpers.ts'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { runCli } from '../helpers/cli.ts'
import { CONFIG_1, CONFIG_2, create, withChanges } from './fixtures.ts'

// The common mistake a strict client wants caught: the page's `redirect` where the contract says `return_uri`.
const WITH_REDIRECT = withChanges(CONFIG_1, { 'hosted_page.redirect': { return_uri: 'https://your-app.com/callback' } })

async function ignoringClient (h: TestApp): Promise<TestClient> {
  const c = await h.client({ name: 'lenient' })
  await updateClient(h.deps.db, c.id, { unknownFields: 'ignore' })
  return c
}

test('by default an unknown field is refused: a 400 naming hosted_page.redirect with the hint to hosted_page.return_uri', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  assert.equal((await findClient(h.deps.db, c.id))!.unknownFields, 'refuse')
  const res = await create(h, c, WITH_REDIRECT)
  assert.equal(res.statusCode, 400, res.body)
  const messages = res.json().errors['hosted_page.redirect'] as string[]
  assert.ok(messages, res.body)
  assert.match(messages.join(' '), /hosted_page\.return_uri/)
})

test('a client that ignores unknown fields gets 201 for the same body, and the timeline lists the ignored fields', async (t) => {
  const h = await buildTestApp(t)
  const c = await ignoringClient(h)
  const body = withChanges(WITH_REDIRECT, { 'user.nickname': 'Jo', colour: 'blue' })
  const res = await create(h, c, body)
  assert.equal(res.statusCode, 201, res.body)
  const id = res.json().id as string
  assert.match(res.json().hosted_page.uri, /^http/)

  // Created as if the fields were absent: what is stored is the declared part only.
  const stored = await h.inject({ method: 'GET', url: `/v3/data-connections/${id}`, headers: c.auth })
  assert.equal(stored.statusCode, 200, stored.body)
  assert.equal(JSON.stringify(stored.json()).includes('nickname'), false)

  const b = await signIn(h, c)
  const page = await b.get(`/console/connections/${id}`)
  assert.equal(page.statusCode, 200)
  const created = /Connection created[\s\S]*?<\/ul>/.exec(page.body)?.[0] ?? ''
  assert.match(created, /ignored_fields/)
  for (const field of ['hosted_page.redirect', 'user.nickname', 'colour']) assert.ok(created.includes(field), `${field} on the timeline: ${created}`)

  // A body without unknown fields leaves no ignored_fields entry.
  const clean = await create(h, c, CONFIG_1)
  assert.equal(clean.statusCode, 201, clean.body)
  const cleanPage = await b.get(`/console/connections/${clean.json().id}`)
  assert.doesNotMatch(cleanPage.body, /ignored_fields/)
})

test('a client that ignores unknown fields still gets a 400 for a declared field with a wrong value', async (t) => {
  const h = await buildTestApp(t)
  const c = await ignoringClient(h)
  const res = await create(h, c, withChanges(WITH_REDIRECT, { 'hosted_page.language_code': 'english', 'provider_selection.type': 'chosen' }))
  assert.equal(res.statusCode, 400, res.body)
  const errors = res.json().errors as Record<string, string[]>
  assert.ok(errors['hosted_page.language_code'], res.body)
  assert.ok(errors['provider_selection.type'], res.body)
  assert.equal(errors['hosted_page.redirect'], undefined, res.body)
})

test('the walk follows the branch picked by type, keeps metadata keys, and leaves a union without a known type whole', () => {
  const body = {
    ...structuredClone(CONFIG_2),
    // `filter` belongs to user_selected only: with preselected it is unknown.
    provider_selection: { type: 'preselected', provider_id: 'ob-monzo', filter: { countries: ['GB'] } },
    metadata: { anything: 'kept' },
    user_consent: { type: 'typo', extra: 1 },
  }
  const { body: kept, ignored } = dropUnknownFields(CreateConnectionBody, body)
  assert.deepEqual(ignored, ['provider_selection.filter'])
  assert.deepEqual((kept as typeof body).provider_selection, { type: 'preselected', provider_id: 'ob-monzo' })
  assert.deepEqual((kept as typeof body).metadata, { anything: 'kept' })
  assert.deepEqual((kept as typeof body).user_consent, { type: 'typo', extra: 1 })
  assert.deepEqual(body.provider_selection.filter, { countries: ['GB'] }, 'the original body is unchanged')
})

test('Console settings: a select for unknown fields, saved for the client, other values refused with the allowed ones', async (t) => {
  const h = await buildTestApp(t)
  const c = await h.client()
  const b = await signIn(h, c)
  const page = await b.get('/console/settings')
  assert.match(page.body, /<option value="refuse" selected>/)
  const saved = await b.post('/console/settings/unknown-fields', { unknown_fields: 'ignore' })
  assert.equal(saved.statusCode, 303, saved.body)
  assert.equal(saved.headers.location, '/console/settings?notice=unknown_fields_saved')
  assert.equal((await findClient(h.deps.db, c.id))!.unknownFields, 'ignore')
  assert.match((await b.get('/console/settings')).body, /<option value="ignore" selected>/)
  assert.equal((await create(h, c, WITH_REDIRECT)).statusCode, 201)

  const bad = await b.post('/console/settings/unknown-fields', { unknown_fields: 'warn' })
  assert.equal(bad.statusCode, 400)
  assert.match(bad.body, /unknown_fields: must be one of refuse, ignore/)
  const noCsrf = await b.post('/console/settings/unknown-fields', { unknown_fields: 'refuse' }, { csrf: null })
  assert.equal(noCsrf.statusCode, 403, noCsrf.body)
  assert.equal((await findClient(h.deps.db, c.id))!.unknownFields, 'ignore')
})

test('CLI: --unknown-fields on clients create and update, documented in help, a bad value refused with the allowed ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerite-cli-'))
  try {
    const cli = (args: string[]) => runCli(args, { DATABASE_URL: `sqlite:${join(dir, 'cli.db')}` })
    assert.match(cli(['help']).stdout, /--unknown-fields refuse\|ignore/)
    const base = ['clients', 'create', '--name', 'Acme', '--redirect-uri', 'https://acme.example/cb']
    const bad = cli([...base, '--unknown-fields', 'lenient'])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /--unknown-fields lenient: must be one of refuse, ignore/)
    const created = cli([...base, '--unknown-fields', 'ignore'])
    assert.equal(created.status, 0, created.stderr)
    const id = JSON.parse(created.stdout).client_id as string
    const plain = JSON.parse(cli(base).stdout).client_id as string
    const db = createDb(`sqlite:${join(dir, 'cli.db')}`)
    assert.equal((await findClient(db.kysely, id))?.unknownFields, 'ignore')
    assert.equal((await findClient(db.kysely, plain))?.unknownFields, 'refuse')
    await db.close()
    const back = cli(['clients', 'update', id, '--unknown-fields', 'refuse'])
    assert.equal(back.status, 0, back.stderr)
    assert.equal(JSON.parse(back.stdout).unknownFields, 'refuse')
    const typo = cli(['clients', 'update', id, '--unknown-fields', 'ignored'])
    assert.equal(typo.status, 2)
    assert.match(typo.stderr, /must be one of refuse, ignore/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

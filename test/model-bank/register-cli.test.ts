import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { authenticateTpp, redirectUrisOf } from '../../src/modules/model-bank/model-bank.tpps.ts'
import { basicCredentials } from '../../src/modules/providers/model-bank.adapter.ts'
import { createDb } from '../../src/storage/create-db.ts'

/** `ledgerite model-bank register`: the bank's operator issues credentials to another Ledgerite. */

const cli = (args: string[], databaseUrl: string) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'model-bank', ...args], {
  env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl }, encoding: 'utf8',
})

test('model-bank register prints credentials the bank then accepts, with the redirect URIs given', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerite-bank-cli-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const url = `sqlite:${join(dir, 'bank.db')}`
  const run = cli(['register', '--name', 'Other Ledgerite', '--redirect-uri', 'https://other.example/data/callback'], url)
  assert.equal(run.status, 0, run.stderr)
  const printed = JSON.parse(run.stdout) as { client_id: string, client_secret: string }

  const db = createDb(url)
  t.after(() => db.close())
  const tpp = await authenticateTpp(db.kysely, { authorization: basicCredentials({ clientId: printed.client_id, clientSecret: printed.client_secret }) })
  assert.equal(tpp.name, 'Other Ledgerite')
  assert.deepEqual(redirectUrisOf(tpp), ['https://other.example/data/callback'])
  await assert.rejects(authenticateTpp(db.kysely, { authorization: basicCredentials({ clientId: printed.client_id, clientSecret: 'x' }) }), /not valid/)

  for (const bad of [['register', '--redirect-uri', 'https://x.example/cb'], ['register', '--name', 'A', '--redirect-uri', 'javascript:alert(1)']]) {
    const refused = cli(bad, url)
    assert.equal(refused.status, 2, `${bad.join(' ')}: ${refused.stdout}`)
    assert.match(refused.stderr, /^ledgerite: /)
  }
})

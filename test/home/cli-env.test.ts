import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'

test('clients create --env prints export lines a shell can eval', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerite-cli-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'clients', 'create', '--name', 'my-app', '--redirect-uri', 'https://your-app.com/callback', '--env'], {
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: `sqlite:${join(dir, 'l.db')}` }, encoding: 'utf8',
  })
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stdout, /^export CLIENT_ID='sandbox-my-app-[0-9a-f]+'\nexport CLIENT_SECRET='[A-Za-z0-9_-]+'\n$/)
  // What `eval "$(…)"` then `echo $CLIENT_ID` gives, through a real shell.
  const shell = spawnSync('sh', ['-c', `${run.stdout}\nprintf '%s %s' "$CLIENT_ID" "$CLIENT_SECRET"`], { encoding: 'utf8' })
  const [id, secret] = shell.stdout.split(' ')
  assert.match(id!, /^sandbox-my-app-/)
  assert.ok(run.stdout.includes(`'${secret}'`))
})

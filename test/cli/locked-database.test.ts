import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import SQLite from 'better-sqlite3'

/** A SQLite file's lock held by another process is a SQLite matter: PostgreSQL has no file to lock. */
const skip = process.env.TEST_DATABASE_URL ? 'the lock on a SQLite file; nothing to lock on PostgreSQL' : false

function runCli (databaseUrl: string, args: string[]): Promise<{ status: number | null, stdout: string, stderr: string }> {
  return new Promise((resolve, reject) => {
    // Spawned, not spawnSync: this process must stay free to hold (and let go of) the lock meanwhile.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => { stdout += d })
    child.stderr.on('data', (d: Buffer) => { stderr += d })
    child.on('error', reject)
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

async function migratedFile (t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ledgerite-cli-lock-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const url = `sqlite:${join(dir, 'l.db')}`
  const migrated = await runCli(url, ['migrate'])
  assert.equal(migrated.status, 0, migrated.stderr)
  return { url, path: join(dir, 'l.db') }
}

const CREATE = ['clients', 'create', '--name', 'my-app', '--redirect-uri', 'https://your-app.com/callback']

test('clients create on a file another process keeps locked → one clear line on stderr, no stack trace, exit code 2, nothing written', { skip }, async (t) => {
  const { url, path } = await migratedFile(t)
  const other = new SQLite(path)
  t.after(() => other.close())
  other.exec('BEGIN EXCLUSIVE')
  const run = await runCli(url, CREATE)
  other.exec('ROLLBACK')
  assert.equal(run.status, 2, run.stderr)
  assert.equal(run.stdout, '')
  const lines = run.stderr.trim().split('\n')
  assert.equal(lines.length, 1, run.stderr)
  assert.match(lines[0]!, /^ledgerite: the database is locked by another process \(waited 5 s\); nothing was changed\. Try again once it is free\.$/)
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace')
  assert.equal((other.prepare('select count(*) as n from clients').get() as { n: number }).n, 0)
})

test('clients create while another process holds the lock for a moment → waits for it and creates the client', { skip }, async (t) => {
  const { url, path } = await migratedFile(t)
  const other = new SQLite(path)
  t.after(() => other.close())
  other.exec('BEGIN EXCLUSIVE')
  const running = runCli(url, CREATE)
  // Let go well within the CLI's wait (the server's 200 ms would not have been enough); the command's outcome does
  // not depend on when exactly it started waiting.
  setTimeout(() => other.exec('COMMIT'), 1000)
  const run = await running
  assert.equal(run.status, 0, run.stderr)
  assert.match(JSON.parse(run.stdout).client_id, /^sandbox-my-app-/)
  assert.equal((other.prepare('select count(*) as n from clients').get() as { n: number }).n, 1)
})

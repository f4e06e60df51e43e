#!/usr/bin/env node
// Runs every test file with node's test runner (Node 20 does not expand globs itself).
// Unit and API tests first; the browser suite (test/e2e) last. TEST_DATABASE_URL=postgres://… runs it all on PostgreSQL.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'

function find (dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (name === 'node_modules' || name === 'fixtures') continue
    if (statSync(p).isDirectory()) find(p, out)
    else if (p.endsWith('.test.ts')) out.push(p)
  }
  return out
}

const only = process.argv.slice(2)
const files = (only.length ? only : [...find('src'), ...find('test')])
  .filter((f) => !f.startsWith(join('test', 'fuzz', 'long')))
  .sort((a, b) => Number(a.includes('e2e')) - Number(b.includes('e2e')) || a.localeCompare(b))
const db = process.env.TEST_DATABASE_URL?.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'
// One test file per CPU (at least two: most files wait on I/O more than they compute); TEST_CONCURRENCY overrides.
// Files never share state: each builds its own app on its own in-memory SQLite or PostgreSQL schema.
const concurrency = Number(process.env.TEST_CONCURRENCY) || Math.max(2, availableParallelism())
console.log(`Running ${files.length} test files on ${db}, ${concurrency} at a time`)
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], { stdio: 'inherit', env: process.env })
process.exit(r.status ?? 1)

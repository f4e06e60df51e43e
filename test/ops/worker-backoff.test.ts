import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ERROR_BACKOFF_MAX_MS, ERROR_BACKOFF_MIN_MS, errorBackoffMs, type WorkerFailure, Workers } from '../../src/worker-poller.ts'
import { eventually } from './fault-kit.ts'

/** A worker whose rounds fail (the database is away) waits longer after each failure, up to a cap, and resumes. */

test('the delay after failed rounds doubles from the minimum up to the cap, jittered by at most 20 %', () => {
  const mid = () => 0.5
  assert.deepEqual([1, 2, 3, 4].map((n) => errorBackoffMs(n, mid)), [1, 2, 4, 8].map((k) => ERROR_BACKOFF_MIN_MS * k))
  assert.equal(errorBackoffMs(20, mid), ERROR_BACKOFF_MAX_MS)
  assert.equal(errorBackoffMs(10_000, mid), ERROR_BACKOFF_MAX_MS)
  assert.equal(errorBackoffMs(1, () => 0), Math.round(ERROR_BACKOFF_MIN_MS * 0.8))
  assert.equal(errorBackoffMs(50, () => 1), Math.round(ERROR_BACKOFF_MAX_MS * 1.2))
})

test('a failing worker is told each failure with a growing delay, and is told when it resumes', async (t) => {
  const failures: WorkerFailure[] = []
  const recovered: number[] = []
  const workers = new Workers((_name, _err, failure) => failures.push(failure), (_name, n) => recovered.push(n))
  t.after(() => workers.stop())
  let calls = 0
  let successes = 0
  workers.register({
    name: 'flaky',
    intervalMs: 20,
    runOnce: async () => {
      calls++
      if (calls <= 3) throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })
      successes++
      return 0
    },
  })
  workers.start()
  await eventually('the worker resumes', async () => successes >= 2)
  assert.deepEqual(failures.map((f) => f.failures), [1, 2, 3])
  for (let i = 1; i < failures.length; i++) assert.ok(failures[i]!.retryInMs > failures[i - 1]!.retryInMs, `delays grow: ${failures.map((f) => f.retryInMs)}`)
  assert.deepEqual(recovered, [3])
})

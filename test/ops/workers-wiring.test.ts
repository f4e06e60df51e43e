import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Deps } from '../../src/deps.ts'
import { Workers } from '../../src/worker-poller.ts'
import { backgroundWorkers, startWorkers } from '../../src/workers.ts'
import { buildTestApp } from '../helpers/build-app.ts'

test('the background workers are the ones src/workers.ts lists, and buildApp has registered each of them once', async (t) => {
  const h = await buildTestApp(t)
  const names = backgroundWorkers(h.deps).map((w) => w.name)
  assert.deepEqual(names.sort(), ['connection-expiry', 'console-sessions', 'model-bank-sweeper', 'transactions-requests', 'webhooks'])
  // Registered already by buildApp: a second registration under any of these names is refused.
  for (const worker of backgroundWorkers(h.deps)) {
    assert.throws(() => h.deps.workers.register(worker), new RegExp(`worker ${worker.name} is registered already`))
  }
})

test('a poller refuses a second worker under a name it holds (wiring done twice)', () => {
  const workers = new Workers(() => {})
  workers.register({ name: 'a', runOnce: async () => 0 })
  assert.throws(() => workers.register({ name: 'a', runOnce: async () => 0 }), /worker a is registered already/)
})

test('startWorkers starts the poller unless WORKERS=off', () => {
  for (const on of [true, false]) {
    let started = 0
    startWorkers({ config: { workers: on }, workers: { start: () => { started++ } } } as unknown as Deps)
    assert.equal(started, on ? 1 : 0)
  }
})

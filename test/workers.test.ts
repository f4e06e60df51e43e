import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Workers } from '../src/worker-poller.ts'

test('wake runs an idle worker at once instead of at its next poll, also when woken during a round', async () => {
  const workers = new Workers(() => {})
  let rounds = 0
  let release: (() => void) | undefined
  workers.register({
    name: 'w',
    intervalMs: 60_000, // without wake, a second round would come only a minute later
    runOnce: async () => {
      rounds++
      if (rounds === 2) await new Promise<void>((resolve) => { release = resolve })
      return 0
    },
  })
  workers.start()
  const until = async (cond: () => boolean) => { for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 5)) }
  await until(() => rounds === 1)
  workers.wake('w')
  await until(() => rounds === 2 && release !== undefined)
  assert.equal(rounds, 2, 'woken while idle: a round ran at once')
  workers.wake('w') // during round 2
  release!()
  await until(() => rounds === 3)
  assert.equal(rounds, 3, 'woken during a round: another round followed at once')
  await workers.stop()
})

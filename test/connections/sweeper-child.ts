/**
 * A second (or first) Ledgerite process for the concurrent-sweep test: opens the shared database, says `ready`,
 * waits for `go` on stdin so both processes start together, then sweeps until nothing is due and prints how many
 * connections it took in hand. Not a test file itself.
 */
import { createClock } from '../../src/modules/clock/clock.ts'
import { createExpirySweeper } from '../../src/modules/connections/connection.expiry-sweeper.ts'
import { createDb } from '../../src/storage/create-db.ts'

const url = process.env.CHILD_DATABASE_URL
if (!url) throw new Error('CHILD_DATABASE_URL is required')
const db = createDb(url, process.env.CHILD_SCHEMA ? { schema: process.env.CHILD_SCHEMA } : {})
// Small rounds, so the two processes interleave over the same rows instead of one taking everything at once.
const sweeper = createExpirySweeper({ db: db.kysely, clock: createClock(db.kysely) }, { batchSize: 3 })
process.stdout.write('ready\n')
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()))
process.stdin.destroy()
let handled = 0
for (let n = await sweeper.runOnce(); n > 0; n = await sweeper.runOnce()) handled += n
process.stdout.write(`handled ${handled}\n`)
await db.close()

/**
 * A Ledgerite process for the restart test: opens the shared database, starts delivering webhooks and is killed
 * (SIGKILL) by the test while a delivery is in flight. Not a test file itself.
 */
import { createDb } from '../../src/storage/create-db.ts'
import { appOn } from './helpers.ts'

const url = process.env.CHILD_DATABASE_URL
if (!url) throw new Error('CHILD_DATABASE_URL is required')
const db = createDb(url, process.env.CHILD_SCHEMA ? { schema: process.env.CHILD_SCHEMA } : {})
const { deps } = await appOn(db)
process.stdout.write('ready\n')
await deps.workers.runAll()
process.stdout.write('finished\n')

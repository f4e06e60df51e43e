import assert from 'node:assert/strict'
import { test } from 'node:test'
import { faultDetail, storageFault } from '../../src/storage/health.ts'

/**
 * Which errors mean "the storage cannot serve right now" (503 + Retry-After) and which are bugs (500): the one
 * classification the error handler, /readyz and the workers' log share. The errors are shaped as pg, better-sqlite3
 * and ioredis raise them.
 */
const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code, severity: 'FATAL' })
const sqliteError = (code: string) => Object.assign(new Error(code), { code, name: 'SqliteError' })
const replyError = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' })

test('PostgreSQL outages: terminated or refused connections, a server starting up, timeouts', () => {
  for (const err of [
    pgError('57P01', 'terminating connection due to administrator command'),
    pgError('57P02'), pgError('57P03', 'the database system is starting up'), pgError('53300'),
    pgError('08006'), pgError('08001'), pgError('08P01'),
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
    new Error('Connection terminated unexpectedly'),
    new Error('Connection terminated due to connection timeout'),
    new Error('timeout exceeded when trying to connect'),
    new Error('Client has encountered a connection error and is not queryable'),
  ]) {
    assert.deepEqual(storageFault(err), { component: 'database', kind: 'unavailable', retryAfterSeconds: 2 }, err.message)
  }
})

test('SQLite: locked elsewhere is busy, a damaged file is damaged, a full disk is unavailable', () => {
  for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', 'SQLITE_LOCKED_SHAREDCACHE']) assert.equal(storageFault(sqliteError(code))?.kind, 'busy', code)
  for (const code of ['SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_NOTADB']) assert.equal(storageFault(sqliteError(code))?.kind, 'damaged', code)
  for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE']) assert.equal(storageFault(sqliteError(code))?.kind, 'unavailable', code)
  assert.equal(storageFault(sqliteError('SQLITE_BUSY'))?.retryAfterSeconds, 1)
})

test('Redis away: no offline queue, a command timeout, retries given up, a server loading its data', () => {
  for (const err of [
    new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    new Error('Command timed out'),
    new Error('Connection is closed.'),
    Object.assign(new Error('Reached the max retries per request limit (which is 0).'), { name: 'MaxRetriesPerRequestError' }),
    replyError('LOADING Redis is loading the dataset in memory'),
    replyError('MASTERDOWN Link with MASTER is down'),
  ]) {
    assert.equal(storageFault(err)?.component, 'redis', err.message)
  }
})

test('bugs and refusals are not outages: they stay 500 or what they are', () => {
  for (const err of [
    pgError('23505', 'duplicate key value violates unique constraint'),
    pgError('42P01', 'relation "x" does not exist'),
    pgError('22P02', 'invalid input syntax'),
    sqliteError('SQLITE_CONSTRAINT_UNIQUE'),
    sqliteError('SQLITE_ERROR'),
    replyError('ERR Error running script'),
    new TypeError("Cannot read properties of undefined (reading 'id')"),
    new Error('fetch failed'),
    null, undefined, 'Connection terminated',
  ]) {
    assert.equal(storageFault(err), undefined, String((err as Error | null)?.message ?? err))
  }
})

test('the detail tells the client what is missing and when to retry, without internals', () => {
  assert.equal(faultDetail({ component: 'database', kind: 'unavailable', retryAfterSeconds: 2 }), 'The database cannot be reached right now. Retry after 2 s.')
  assert.match(faultDetail({ component: 'redis', kind: 'unavailable', retryAfterSeconds: 2 }), /Redis/)
  assert.match(faultDetail({ component: 'database', kind: 'busy', retryAfterSeconds: 1 }), /locked by another process.*Retry after 1 s/)
})

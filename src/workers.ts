import type { Deps } from './deps.ts'
import { createExpirySweeper } from './modules/connections/connection.expiry-sweeper.ts'
import { deleteExpiredSessions } from './modules/console/console.session.ts'
import { createTransactionsRequestWorker } from './modules/data/transactions-request.worker.ts'
import { sweepExpired } from './modules/model-bank/model-bank.repository.ts'
import { createWebhookDispatcher } from './modules/webhooks/webhook.dispatcher.ts'
import type { Worker } from './worker-poller.ts'

/**
 * Every background worker of Ledgerite, built from deps in this one place (route plugins register none), so what
 * runs besides requests is read here rather than found in the modules. The poller that runs them is
 * `deps.workers` (worker-poller.ts): routes only wake a worker by name.
 */
export function backgroundWorkers (deps: Deps): Worker[] {
  const dispatcher = createWebhookDispatcher(deps)
  return [
    // Reads the bank for queued transactions requests; woken by the create route so a request starts at once.
    createTransactionsRequestWorker(deps),
    // Signs and posts webhook events from the outbox, with retries.
    { name: 'webhooks', runOnce: () => dispatcher.runOnce(), intervalMs: 250 },
    // Consents end on the wall clock even when nothing reads the connection.
    createExpirySweeper(deps),
    // Console sessions past their time are deleted, not only refused.
    { name: 'console-sessions', runOnce: () => deleteExpiredSessions(deps.db, deps.clock.realNow()), intervalMs: 60_000 },
    // The model bank's consents never authorised and codes past their time, swept in bounded batches on its own
    // (real) time.
    { name: 'model-bank-sweeper', runOnce: () => sweepExpired(deps.db, deps.clock.realNow()), intervalMs: 60_000 },
  ]
}

/** Hands every worker to the poller, once per deps (a second call throws: the names are taken). Run by buildApp. */
export function registerWorkers (deps: Deps): void {
  for (const worker of backgroundWorkers(deps)) deps.workers.register(worker)
}

/** Starts polling, unless WORKERS=off (then nothing runs in the background; tests drive `deps.workers.runAll()`). */
export function startWorkers (deps: Deps): void {
  if (deps.config.workers) deps.workers.start()
}

import { type SpawnSyncReturns, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** `ledgerite <args>` run from the sources in a process of its own, as an operator runs it, with `env` added. */
export function runCli (args: string[], env: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
  })
}

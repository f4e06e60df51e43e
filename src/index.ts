/**
 * `ledgerite`: the server as a library, for embedding it in another process. `ledgerite/client` is the typed API
 * client and `ledgerite/testing` the test kit; `npx ledgerite` is the command line.
 */
export { type BuildAppOptions, buildApp } from './app.ts'
export { type Config, ConfigError, loadConfig } from './config.ts'
export { createDeps, type Deps } from './deps.ts'
export { startServer } from './server.ts'
export { migrateToLatest } from './storage/migrate.ts'

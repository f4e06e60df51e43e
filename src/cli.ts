import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { ConfigError, loadConfig } from './config.ts'
import { checkUri, createClient, deleteClient, isUnknownFieldsMode, listClients, UNKNOWN_FIELDS_MODES, type UnknownFieldsMode, updateClient } from './modules/auth/client.repository.ts'
import { brandingChangeFrom, checkLogo } from './modules/journey/branding.ts'
import { saveBranding } from './modules/auth/client-branding.repository.ts'
import { MODEL_BANK_USAGE, ModelBankCliError, modelBankCommand } from './modules/model-bank/model-bank.cli.ts'
import { checkWebhookUri } from './modules/webhooks/webhook.destination.ts'
import { type ExtensionWebhookType, readExtensionEvents } from './modules/webhooks/webhook.event-types.ts'
import { rotateSecret } from './modules/auth/client-secret.ts'
import { deleteClientSessions } from './modules/console/console.session.ts'
import { startServer } from './server.ts'
import { createDb } from './storage/create-db.ts'
import { StorageDamagedError, storageFault } from './storage/health.ts'
import { migrateToLatest } from './storage/migrate.ts'

const USAGE = `Usage: ledgerite <command>

  start                                   start the server (what npm start runs)
  migrate                                 apply database migrations and exit
  clients create --name NAME --redirect-uri URI [--redirect-uri URI …] [--webhook-uri URI] [--aisp-licence] [--env]
                                          (--env prints export CLIENT_ID=… and CLIENT_SECRET=… lines for eval)
  clients list
  clients update CLIENT_ID [--add-redirect-uri URI …] [--remove-redirect-uri URI …] [--webhook-uri URI|--no-webhook] [--aisp-licence|--no-aisp-licence]
                 [--display-name NAME] [--logo-file PNG|JPEG|WEBP|--no-logo] [--accent-color #RRGGBB] [--privacy-url URL]
                 (hosted-page branding; an empty value clears a field)
  clients rotate-secret CLIENT_ID          a new secret, printed once; the old secret, the client's access tokens and
                                          Console sessions stop working at once
  clients delete CLIENT_ID
  --extension-events TYPE,…               (clients create|update) also send these extension webhook types:
                                          connection_revoked, connection_expired; none (the default) sends only the
                                          four published types
  --unknown-fields refuse|ignore          (clients create|update) create-connection's answer to fields its schema does
                                          not declare: refuse (the default) is a 400 naming each; ignore drops them
                                          and lists them on the connection's timeline in the Console
${MODEL_BANK_USAGE}

Environment: DATABASE_URL, PORT, HOST, PUBLIC_URL, LOG_LEVEL, REDIS_URL (see .env.example).`

function fail (message: string): never {
  process.stderr.write(`ledgerite: ${message}\n`)
  process.exit(2)
}

/**
 * How long a command waits for another process's lock on a SQLite file (a running server's write, a backup): a
 * command serves no one else meanwhile, so it waits seconds where the server waits 200 ms and answers 503.
 */
const CLI_SQLITE_BUSY_TIMEOUT_MS = 5000

async function withDb<T> (fn: (db: ReturnType<typeof createDb>['kysely']) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const db = createDb(config.databaseUrl, { sqliteBusyTimeoutMs: CLI_SQLITE_BUSY_TIMEOUT_MS })
  try {
    await migrateToLatest(db.kysely)
    return await fn(db.kysely)
  } finally {
    await db.close()
  }
}

const print = (value: unknown): void => { process.stdout.write(`${JSON.stringify(value, null, 2)}\n`) }
const shellQuote = (value: string): string => `'${value.replaceAll("'", "'\\''")}'`

/** `--unknown-fields refuse|ignore`; undefined when the flag is absent. */
function unknownFieldsFlag (value: string | undefined): UnknownFieldsMode | undefined {
  if (value === undefined || isUnknownFieldsMode(value)) return value
  return fail(`--unknown-fields ${value}: must be one of ${UNKNOWN_FIELDS_MODES.join(', ')}`)
}

/** `--extension-events a,b` (or `none`) as stored; undefined when the flag is absent. */
function extensionEventsFlag (value: string | undefined): ExtensionWebhookType[] | undefined {
  if (value === undefined) return undefined
  const read = readExtensionEvents([value])
  return 'problem' in read ? fail(`--extension-events ${value}: ${read.problem}`) : read.types
}

async function clients (args: string[]): Promise<void> {
  const [sub, ...rest] = args
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'add-redirect-uri': { type: 'string', multiple: true },
      'remove-redirect-uri': { type: 'string', multiple: true },
      'webhook-uri': { type: 'string' },
      'no-webhook': { type: 'boolean' },
      'aisp-licence': { type: 'boolean' },
      'no-aisp-licence': { type: 'boolean' },
      'extension-events': { type: 'string' },
      'unknown-fields': { type: 'string' },
      env: { type: 'boolean' },
      'display-name': { type: 'string' },
      'logo-file': { type: 'string' },
      'no-logo': { type: 'boolean' },
      'accent-color': { type: 'string' },
      'privacy-url': { type: 'string' },
    },
  })
  const checkAll = (uris: string[] | undefined, flag: string) => {
    for (const u of uris ?? []) {
      const problem = checkUri(u)
      if (problem) fail(`${flag} ${u}: ${problem}`)
    }
  }
  // The destination policy (WEBHOOK_ALLOWED_NETWORKS) is the server's: the same configuration decides here.
  const checkWebhook = (uri: string) => {
    const problem = checkWebhookUri(uri, loadConfig().webhookDestinations)
    if (problem) fail(`--webhook-uri ${uri}: ${problem}`)
  }
  switch (sub) {
    case 'create': {
      if (!values.name) fail('clients create needs --name NAME')
      const redirectUris = values['redirect-uri'] ?? []
      if (redirectUris.length === 0) fail('clients create needs at least one --redirect-uri URI (the return URIs your integration uses)')
      checkAll(redirectUris, '--redirect-uri')
      const extensionEvents = extensionEventsFlag(values['extension-events']) ?? []
      const unknownFields = unknownFieldsFlag(values['unknown-fields']) ?? 'refuse'
      if (values['webhook-uri']) checkWebhook(values['webhook-uri'])
      const { client, secret } = await withDb((db) => createClient(db, {
        name: values.name!, redirectUris, webhookUri: values['webhook-uri'] ?? null, aispLicence: values['aisp-licence'] ?? false,
        webhookExtensionEvents: extensionEvents,
        unknownFields,
      }))
      // --env: shell lines, so `eval "$(npx ledgerite clients create … --env)"` sets what the README's requests use.
      if (values.env) return void process.stdout.write(`export CLIENT_ID=${shellQuote(client.id)}\nexport CLIENT_SECRET=${shellQuote(secret)}\n`)
      return print({ client_id: client.id, client_secret: secret })
    }
    case 'list':
      return print(await withDb(listClients))
    case 'update': {
      const id = positionals[0] ?? fail('clients update needs CLIENT_ID')
      checkAll(values['add-redirect-uri'], '--add-redirect-uri')
      const extensionEvents = extensionEventsFlag(values['extension-events'])
      const unknownFields = unknownFieldsFlag(values['unknown-fields'])
      if (values['webhook-uri']) checkWebhook(values['webhook-uri'])
      const { change: branding, problems } = brandingChangeFrom({
        displayName: values['display-name'], accentColor: values['accent-color'], privacyUrl: values['privacy-url'],
      })
      if (values['logo-file']) {
        const checked = checkLogo(await readFile(values['logo-file']).catch(() => fail(`--logo-file ${values['logo-file']}: cannot be read`)))
        if ('problem' in checked) problems.push(checked.problem)
        else branding.logo = checked.logo
      } else if (values['no-logo']) branding.logo = null
      if (problems.length > 0) fail(problems.join('\n'))
      const updated = await withDb(async (db) => {
        const client = await updateClient(db, id, {
          ...(values['add-redirect-uri'] ? { addRedirectUris: values['add-redirect-uri'] } : {}),
          ...(values['remove-redirect-uri'] ? { removeRedirectUris: values['remove-redirect-uri'] } : {}),
          ...(values['webhook-uri'] ? { webhookUri: values['webhook-uri'] } : values['no-webhook'] ? { webhookUri: null } : {}),
          ...(values['aisp-licence'] ? { aispLicence: true } : values['no-aisp-licence'] ? { aispLicence: false } : {}),
          ...(extensionEvents ? { webhookExtensionEvents: extensionEvents } : {}),
          ...(unknownFields ? { unknownFields } : {}),
        })
        return client && { ...client, branding: await saveBranding(db, id, branding, new Date()) }
      })
      return updated ? print(updated) : fail(`no client ${id}`)
    }
    case 'rotate-secret': {
      const id = positionals[0] ?? fail('clients rotate-secret needs CLIENT_ID')
      const secret = await withDb(async (db) => {
        const rotated = await rotateSecret(db, id)
        if (rotated) await deleteClientSessions(db, id)
        return rotated
      })
      return secret ? print({ client_id: id, client_secret: secret }) : fail(`no client ${id}`)
    }
    case 'delete': {
      const id = positionals[0] ?? fail('clients delete needs CLIENT_ID')
      return (await withDb((db) => deleteClient(db, id))) ? print({ deleted: id }) : fail(`no client ${id}`)
    }
    default:
      fail(`unknown clients command ${JSON.stringify(sub ?? '')}\n\n${USAGE}`)
  }
}

async function main (argv: string[]): Promise<void> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'start':
        return await startServer(loadConfig())
      case 'migrate': {
        const applied = await withDb(migrateToLatest)
        return print({ applied })
      }
      case 'clients':
        return await clients(rest)
      case 'model-bank':
        return print(await modelBankCommand(rest))
      case undefined: case 'help': case '--help': case '-h':
        process.stdout.write(`${USAGE}\n`)
        return
      default:
        fail(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`)
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof StorageDamagedError || err instanceof ModelBankCliError) fail(err.message)
    // The database locked or unreachable is the machine's state, not a bug: one line saying so, not a stack trace.
    const fault = storageFault(err)
    if (fault?.kind === 'busy') fail(`the database is locked by another process (waited ${CLI_SQLITE_BUSY_TIMEOUT_MS / 1000} s); nothing was changed. Try again once it is free.`)
    if (fault) fail(`the database cannot be used right now (${fault.kind}: ${(err as Error).message}); nothing was changed. Try again later.`)
    throw err
  }
}

await main(process.argv.slice(2))

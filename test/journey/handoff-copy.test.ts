import assert from 'node:assert/strict'
import { test } from 'node:test'
import { failConnection } from '../../src/modules/connections/connection.lifecycle.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { Browserish, CONFIG, createHosted, locationOf, PHONE_UA } from './journey-helpers.ts'

async function handedOff (env: Record<string, string> = {}, t: Parameters<typeof buildTestApp>[0]) {
  const app = await buildTestApp(t, env)
  const client = await app.client({ name: 'Budget Buddy' })
  const hosted = await createHosted(app, client, CONFIG[3])
  const desktop = new Browserish(app)
  const page = await desktop.get(hosted.path)
  const link = new URL(/data-handoff-uri="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&'))
  return { app, client, hosted, desktop, page, handoffPath: link.pathname + link.search }
}

test('a loopback PUBLIC_URL puts a developer note on the hand-off page; a reachable one does not', async (t) => {
  const local = await handedOff({ PUBLIC_URL: 'http://127.0.0.1:3000' }, t)
  assert.match(local.page.body, /<p class="dev-note" lang="en" role="note"><strong>Developer note:<\/strong> this code opens <code>http:\/\/127\.0\.0\.1:3000<\/code>/)
  const reachable = await handedOff({}, t)
  assert.doesNotMatch(reachable.page.body, /dev-note/)
})

test('a reused hand-off link says to go back to the computer; the phone that finished is told the same', async (t) => {
  const { app, client, hosted, handoffPath } = await handedOff({}, t)
  const phone = new Browserish(app, PHONE_UA)
  const opened = await phone.get(handoffPath)
  assert.equal(opened.statusCode, 303)
  const again = await new Browserish(app, PHONE_UA).get(handoffPath)
  assert.equal(again.statusCode, 410)
  assert.match(again.body, /This QR code was already used: each one works once\. Go back to your computer\./)
  await failConnection(app.deps.db, client.id, hosted.id, await app.deps.clock.now(client.id), 'provider_error')
  const toResult = await phone.get(locationOf(opened))
  const result = await phone.get(locationOf(toResult))
  assert.equal(result.statusCode, 200)
  assert.match(result.body, /<p class="note" id="phone-done">You can close this page and go back to your computer: Budget Buddy continues there\.<\/p>/)
  assert.doesNotMatch(result.body, /id="continue"/)
  // the computer's result page still leads back to the client
  const desktopResult = await new Browserish(app).get(locationOf(toResult))
  assert.match(desktopResult.body, /id="continue"/)
})

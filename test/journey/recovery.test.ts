import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { failConnection } from '../../src/modules/connections/connection.lifecycle.ts'
import { buildTestApp, type TestApp } from '../helpers/build-app.ts'
import { Browserish, CONFIG, createHosted, csrfOf, locationOf, PHONE_UA, statusOf } from './journey-helpers.ts'

async function failedEvents (app: TestApp, clientId: string) {
  const rows = await app.deps.db.selectFrom('webhook_events').selectAll().where('client_id', '=', clientId).where('type', '=', 'connection_failed').execute()
  return rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>)
}

/** The "Cancel and return" form's action and label on a page. */
function cancelOf (html: string): { action: string, label: string } {
  const m = /<div class="cancel">\s*<form method="post" action="([^"]+)">[\s\S]*?<button class="link-button" type="submit">([^<]+)<\/button>/.exec(html)
  if (!m) throw new Error('no cancel form on the page')
  return { action: m[1]!, label: m[2]! }
}

describe('recovery: cancel before the bank', () => {
  for (const [name, step] of [['the picker', 'picker'], ['the consent page', 'consent'], ['the hand-off page', 'handoff']] as const) {
    test(`cancelling on ${name} fails the connection like a decline and returns to the client with error=`, async (t) => {
      const app = await buildTestApp(t)
      const client = await app.client({ name: 'Budget Buddy' })
      const hosted = await createHosted(app, client, CONFIG[1])
      const browser = new Browserish(app)
      let page = await browser.get(hosted.path)
      if (step !== 'picker') {
        await browser.post(`/data/${hosted.id}/provider`, { token: hosted.token, _csrf: csrfOf(page.body), provider_id: 'ob-monzo' })
        page = await browser.get(hosted.path)
      }
      if (step === 'handoff') {
        await browser.post(`/data/${hosted.id}/consent`, { token: hosted.token, _csrf: csrfOf(page.body), decision: 'allow' })
        page = await browser.get(hosted.path)
        assert.match(page.body, /class="qr"/)
      }
      const cancel = cancelOf(page.body)
      assert.equal(cancel.label, 'Cancel and return to Budget Buddy')
      const res = await browser.post(cancel.action, { token: hosted.token, _csrf: csrfOf(page.body) })
      assert.equal(res.statusCode, 303)
      const back = new URL(locationOf(res))
      assert.equal(`${back.origin}${back.pathname}`, 'https://your-app.com/callback')
      assert.equal(back.searchParams.get('connection_id'), hosted.id)
      assert.equal(back.searchParams.get('error'), 'user_declined_consent')
      const after = await statusOf(app, client, hosted.id)
      assert.equal(after.status, 'failed')
      assert.equal(after.failure_reason, 'user_declined_consent')
      const events = await failedEvents(app, client.id)
      assert.equal(events.length, 1)
      assert.equal(events[0]!.failure_stage, 'authorization_required')
      assert.equal(events[0]!.failure_reason, 'user_declined_consent')
      // Back to the page and cancel again: the result page, not an error, and no second event
      const reload = await browser.get(hosted.path)
      assert.equal(reload.statusCode, 303)
      const again = await browser.post(cancel.action, { token: hosted.token, _csrf: csrfOf(page.body) })
      assert.equal(again.statusCode, 303)
      assert.equal(new URL(locationOf(again)).searchParams.get('error'), 'user_declined_consent')
      assert.equal((await failedEvents(app, client.id)).length, 1)
    })
  }

  test('the handed-off phone can cancel too; a forged cancel (no CSRF) changes nothing', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client({ name: 'Budget Buddy' })
    const hosted = await createHosted(app, client, CONFIG[3])
    const desktop = new Browserish(app)
    const handoff = await desktop.get(hosted.path)
    const link = /data-handoff-uri="([^"]+)"/.exec(handoff.body)![1]!.replaceAll('&amp;', '&')
    const phone = new Browserish(app, PHONE_UA)
    const opened = await phone.get(new URL(link).pathname + new URL(link).search)
    const page = await phone.get(locationOf(opened))
    assert.equal(page.statusCode, 200)
    const cancel = cancelOf(page.body)
    const forged = await phone.post(cancel.action, {})
    assert.equal(forged.statusCode, 403)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorization_required')
    const res = await phone.post(cancel.action, { _csrf: csrfOf(page.body) })
    assert.equal(res.statusCode, 303)
    assert.equal(new URL(locationOf(res)).searchParams.get('error'), 'user_declined_consent')
    assert.equal((await statusOf(app, client, hosted.id)).status, 'failed')
  })
})

describe('recovery: Back and reload', () => {
  test('re-sending the consent form after declining lands on the result page, not an error', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, CONFIG[2])
    const browser = new Browserish(app)
    const consent = await browser.get(hosted.path)
    const form = { token: hosted.token, _csrf: csrfOf(consent.body) }
    const declined = await browser.post(`/data/${hosted.id}/consent`, { ...form, decision: 'decline' })
    const resultUri = locationOf(declined)
    // Back, then Allow: the page for where the journey is now (its result)
    const allow = await browser.post(`/data/${hosted.id}/consent`, { ...form, decision: 'allow' })
    assert.equal(allow.statusCode, 303)
    assert.equal(locationOf(allow), hosted.path)
    const page = await browser.get(locationOf(allow))
    assert.equal(page.statusCode, 303)
    const result = await browser.get(locationOf(page))
    assert.equal(result.statusCode, 200)
    assert.match(result.body, /You didn’t share your data/)
    assert.equal(new URL(resultUri, 'http://x').pathname, new URL(locationOf(page), 'http://x').pathname)
    // the picker form of an old tab, too
    const picked = await browser.post(`/data/${hosted.id}/provider`, { ...form, provider_id: 'ob-monzo' })
    assert.equal(picked.statusCode, 303)
  })

  test('French result pages put a space before the colon', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const hosted = await createHosted(app, client, { ...CONFIG[2], hosted_page: { ...CONFIG[2].hosted_page, language_code: 'fr' } })
    const browser = new Browserish(app)
    await browser.get(hosted.path)
    await failConnection(app.deps.db, client.id, hosted.id, await app.deps.clock.now(client.id), 'provider_error')
    const page = await browser.get(hosted.path)
    const result = await browser.get(locationOf(page))
    assert.match(result.body, /Motif\u202f:<\/span>/)
  })
})

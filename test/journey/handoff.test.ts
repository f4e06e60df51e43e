import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { buildTestApp, type TestApp } from '../helpers/build-app.ts'
import { Browserish, CONFIG, createHosted, csrfOf, locationOf, PHONE_UA, statusOf } from './journey-helpers.ts'

/** The desktop → mobile hand-off without a browser: the one-time link, the phone's credential, the status feed. */
async function desktopWithQr (app: TestApp) {
  const client = await app.client()
  const hosted = await createHosted(app, client, CONFIG[3])
  const desktop = new Browserish(app)
  const page = await desktop.get(hosted.path)
  const handoff = /data-handoff-uri="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&')
  const status = /data-status-uri="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&')
  return { client, hosted, desktop, page, handoff: new URL(handoff), status }
}

describe('desktop → mobile hand-off', () => {
  test('the link opens once; the phone gets its own credential and can go to the bank', async (t) => {
    const app = await buildTestApp(t)
    const { client, hosted, desktop, handoff, status } = await desktopWithQr(app)
    const feed = async () => (await desktop.get(status)).json() as { status: string, state: string, result_uri: string | null }
    assert.deepEqual(await feed(), { status: 'authorization_required', state: 'handoff', result_uri: null })

    const phone = new Browserish(app, PHONE_UA)
    const opened = await phone.get(handoff.pathname + handoff.search)
    assert.equal(opened.statusCode, 303)
    assert.equal(locationOf(opened), `/data/${hosted.id}/phone`)
    const setCookies = ([] as string[]).concat(opened.headers['set-cookie'] as string | string[])
    const phoneCookie = setCookies.find((c) => c.startsWith('ledgerite_phone='))!
    assert.match(phoneCookie, new RegExp(`; Path=/data/${hosted.id}; HttpOnly; SameSite=Lax; Max-Age=\\d+$`))
    assert.equal((await feed()).state, 'phone_opened')

    // single use: the same link again, from anywhere, is refused
    const again = await new Browserish(app, PHONE_UA).get(handoff.pathname + handoff.search)
    assert.equal(again.statusCode, 410)
    assert.match(again.body, /This link was already used/)
    assert.equal((await phone.get(handoff.pathname + handoff.search)).statusCode, 410)

    // the desktop page now says "continue on your phone"
    const desktopPage = await desktop.get(hosted.path)
    assert.match(desktopPage.body, /Continue on your phone/)
    assert.match(desktopPage.body, /data-state="phone_opened"/)

    // the phone's page, reloadable thanks to its cookie
    const phonePage = await phone.get(`/data/${hosted.id}/phone`)
    assert.equal(phonePage.statusCode, 200)
    assert.match(phonePage.body, /Continue to Monzo/)
    assert.doesNotMatch(phonePage.body, /name="token"/) // the hosted token never reaches the phone
    assert.equal((await phone.get(`/data/${hosted.id}/phone`)).statusCode, 200)

    // without the phone's cookie, the phone page is nobody's
    assert.equal((await new Browserish(app, PHONE_UA).get(`/data/${hosted.id}/phone`)).statusCode, 404)

    const toBank = await phone.post(`/data/${hosted.id}/bank`, { _csrf: csrfOf(phonePage.body) })
    assert.equal(toBank.statusCode, 303)
    assert.match(locationOf(toBank), /^http:\/\/ledgerite\.test\/model-bank\/ob-monzo\//)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorizing')
    assert.equal((await feed()).state, 'waiting')

    // the desktop cannot start a second trip to the bank: its stale form leads to the page for where the journey is
    const late = await desktop.post(`/data/${hosted.id}/bank`, { token: hosted.token, _csrf: csrfOf(desktopPage.body) })
    assert.equal(late.statusCode, 303)
    assert.equal(locationOf(late), hosted.path)
    assert.match((await desktop.get(hosted.path)).body, /<h1>Waiting for your bank<\/h1>/)
    assert.equal((await statusOf(app, client, hosted.id)).status, 'authorizing')
  })

  test('a tampered or foreign hand-off link is not found; an expired one says so and a fresh code replaces it', async (t) => {
    const app = await buildTestApp(t)
    const { client, hosted, desktop, handoff } = await desktopWithQr(app)
    const h = handoff.searchParams.get('h')!
    const tampered = `${h.slice(0, -1)}${h.endsWith('A') ? 'B' : 'A'}`
    assert.equal((await app.inject({ method: 'GET', url: `${handoff.pathname}?h=${tampered}` })).statusCode, 404)
    const other = await createHosted(app, client, CONFIG[3])
    assert.equal((await app.inject({ method: 'GET', url: `/data/${other.id}/handoff?h=${h}` })).statusCode, 404)
    assert.equal((await app.inject({ method: 'GET', url: handoff.pathname })).statusCode, 404)

    await app.deps.clock.advance(client.id, 16 * 60)
    const expired = await app.inject({ method: 'GET', url: handoff.pathname + handoff.search })
    assert.equal(expired.statusCode, 410)
    assert.match(expired.body, /This link has expired/)

    const redrawn = await desktop.get(hosted.path)
    const fresh = /data-handoff-uri="([^"]+)"/.exec(redrawn.body)![1]!.replaceAll('&amp;', '&')
    assert.notEqual(fresh, handoff.toString())
    const freshUrl = new URL(fresh)
    assert.equal((await new Browserish(app, PHONE_UA).get(freshUrl.pathname + freshUrl.search)).statusCode, 303)
  })

  test('the QR code stays the same across reloads while it is valid (the no-JS refresh redraws the page)', async (t) => {
    const app = await buildTestApp(t)
    const { hosted, desktop, handoff } = await desktopWithQr(app)
    const again = await desktop.get(hosted.path)
    assert.match(again.body, new RegExp(`data-handoff-uri="${handoff.toString().replace(/[.?]/g, '\\$&')}"`))
  })
})

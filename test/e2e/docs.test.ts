import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { after, before, describe, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { axeContext, axeViolations } from './axe.ts'
import { launchBrowser, newContext, SCREENSHOT_DIR, startLedgerite } from './browser.ts'

describe('/docs: the API reference', () => {
  let browser: Browser
  before(async () => { browser = await launchBrowser() })
  after(async () => { await browser?.close() })

  test('is "Ledgerite API", sent gzipped with an ETag, cacheable, and lists every documented operation', async (t) => {
    const app = await startLedgerite(t)
    const res = await app.inject({ method: 'GET', url: '/docs', headers: { 'accept-encoding': 'gzip, br' } })
    assert.equal(res.statusCode, 200)
    assert.equal(res.headers['content-encoding'], 'gzip')
    assert.match(String(res.headers['cache-control']), /^public, max-age=\d+$/)
    const html = gunzipSync(res.rawPayload).toString()
    assert.match(html, /<h1>Ledgerite API<\/h1>/)
    assert.doesNotMatch(html, /Swagger|<script/i)
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> }
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item).filter((m) => ['get', 'post', 'delete', 'put', 'patch'].includes(m))) {
        assert.ok(html.includes(`<code>${method.toUpperCase()} ${path.replaceAll('&', '&amp;')}</code>`), `${method} ${path} listed`)
      }
    }
    const again = await app.inject({ method: 'GET', url: '/docs', headers: { 'if-none-match': String(res.headers.etag) } })
    assert.equal(again.statusCode, 304)
    const css = await app.inject({ method: 'GET', url: '/docs/assets/docs.css' })
    assert.equal(css.headers['cache-control'], 'public, max-age=86400')
  })

  for (const kind of ['desktop', 'phone'] as const) {
    test(`${kind}: no CSP or console error under its own policy, and axe finds no WCAG 2.2 A/AA violation`, async (t) => {
      const app = await startLedgerite(t)
      const strict = await newContext(browser, kind)
      const page = await strict.newPage()
      const errors: string[] = []
      page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text()) })
      page.on('pageerror', (e) => errors.push(e.message))
      await page.goto(`${app.baseUrl}/docs`)
      await page.getByRole('heading', { name: 'Ledgerite API', level: 1 }).waitFor()
      assert.equal(await page.title(), 'Ledgerite API 0.1.0 reference')
      assert.deepEqual(errors, [])
      // the page is long: its first screen is what a person checks (a full-page capture is slow here)
      mkdirSync(SCREENSHOT_DIR, { recursive: true })
      await page.screenshot({ path: join(SCREENSHOT_DIR, `docs-${kind}.png`) })
      await strict.close()
      const checked = await axeContext(browser, kind)
      const p2 = await checked.newPage()
      await p2.goto(`${app.baseUrl}/docs`)
      const violations = await axeViolations(p2)
      assert.deepEqual(violations, [], violations.join('\n'))
      await checked.close()
    })
  }
})

import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { freePort } from '../helpers/free-port.ts'
import { axeViolations } from './axe.ts'
import { DESKTOP_UA, PHONE_UA } from './user-agents.ts'

/**
 * The browser suite's harness: Ledgerite on a real port (PUBLIC_URL = the address it listens on, so the
 * hosted page's redirects and the bank's come back to it), Debian's chromium through playwright-core, and the
 * client's return URIs (https://your-app.com/…) answered by Playwright, since nothing listens there.
 */
export const SCREENSHOT_DIR = join('test-results', 'screenshots')


export interface LiveApp extends TestApp {
  baseUrl: string
}

export async function startLedgerite (t: TestContext): Promise<LiveApp> {
  const port = await freePort()
  const baseUrl = `http://127.0.0.1:${port}`
  const app = await buildTestApp(t, { PORT: String(port), PUBLIC_URL: baseUrl })
  await app.app.listen({ port, host: '127.0.0.1' })
  return { ...app, baseUrl }
}

/**
 * One headless chromium per test file: launch in `before`, close in `after`. Playwright gives every launch a
 * fresh temporary profile itself (it refuses `--user-data-dir` in args), the fresh profile the stack notes ask for.
 */
export async function launchBrowser (): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}


/** A desktop or phone-sized context whose requests to the client's site are answered with a stub page. */
export async function newContext (browser: Browser, kind: 'desktop' | 'phone' = 'desktop', locale = 'en-GB'): Promise<BrowserContext> {
  const context = await browser.newContext(kind === 'phone'
    ? { userAgent: PHONE_UA, viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale }
    : { userAgent: DESKTOP_UA, viewport: { width: 1280, height: 900 }, locale })
  context.setDefaultTimeout(15_000)
  for (const site of ['https://your-app.com/**', 'https://yourapp.com/**']) {
    await context.route(site, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Your app</title><h1>Back at your app</h1>' }))
  }
  return context
}

/**
 * Saves the page as `test-results/screenshots/<name>.png` and, when it is one of Ledgerite's own pages (hosted,
 * bank, Console, docs — not the client's stub site), checks it with axe-core: every page the suite photographs,
 * in every state it is photographed in, has no WCAG 2.2 A/AA violation.
 */
export async function screenshot (page: Page, name: string, options: { javaScriptDisabled?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true })
  // axe runs as a script in the page: a context without JavaScript cannot run it (evaluate would never return).
  if (options.javaScriptDisabled || new URL(page.url()).hostname !== '127.0.0.1') return
  const violations = await axeViolations(page)
  assert.deepEqual(violations, [], `${name} (${new URL(page.url()).pathname}): ${violations.join('\n')}`)
}

/** POST /v3/data-connections as `client`; answers the 201 body. */
export async function createConnection (app: TestApp, client: TestClient, body: Record<string, unknown>): Promise<{ id: string, status: string, hosted_page?: { uri: string }, authorization_flow?: { actions: { next: { type: string, uri?: string, providers?: unknown[] } } } }> {
  const res = await app.inject({
    method: 'POST',
    url: '/v3/data-connections',
    headers: { ...client.auth, 'content-type': 'application/json' },
    payload: { user: { name: 'Jane Smith', email: 'jane@example.com' }, scopes: ['info', 'accounts', 'balance', 'transactions'], ...body },
  })
  if (res.statusCode !== 201) throw new Error(`create answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

export async function connectionStatus (app: TestApp, client: TestClient, id: string): Promise<{ status: string, failure_reason?: string, [k: string]: unknown }> {
  const res = await app.inject({ method: 'GET', url: `/v3/data-connections/${id}`, headers: client.auth })
  if (res.statusCode !== 200) throw new Error(`GET connection answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

/** The model bank's pages: sign in, then Allow (all accounts pre-ticked) or Deny. */
export async function signInAtBank (page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** Where the browser landed on the client's site: its query, as the client's callback would read it. */
export function landing (page: Page): URLSearchParams {
  return new URL(page.url()).searchParams
}

export const RETURN_URI = 'https://your-app.com/callback'

/** Configuration 1 on the UK picker: the body of the journeys that start by choosing a bank. */
export const PICK_A_UK_BANK = {
  provider_selection: { type: 'user_selected', filter: { countries: ['GB'] } },
  user_consent: { type: 'authorization_flow_captured' },
  hosted_page: { type: 'authorization_flow', return_uri: RETURN_URI },
}

/** The page's main text as the user sees it (rendered text, not the DOM's textContent). */
export async function mainText (page: Page): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text a user reads
  return page.locator('main').innerText()
}

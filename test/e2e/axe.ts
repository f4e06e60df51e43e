import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { DESKTOP_UA, PHONE_UA } from './user-agents.ts'

/**
 * axe-core over a page, at WCAG 2.2 A/AA. The script comes from node_modules (axe-core is a dev dependency) and
 * is added with page.addScriptTag; the pages' CSP allows only their own scripts, so the contexts checked with axe
 * are opened with bypassCSP (their CSP itself is checked by the tests that look for console errors).
 */
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']

export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 390, height: 844 },
} as const

export async function axeContext (browser: Browser, kind: keyof typeof VIEWPORTS, locale = 'en-GB'): Promise<BrowserContext> {
  const context = await browser.newContext(kind === 'phone'
    ? { userAgent: PHONE_UA, viewport: VIEWPORTS.phone, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale, bypassCSP: true }
    : { userAgent: DESKTOP_UA, viewport: VIEWPORTS.desktop, locale, bypassCSP: true })
  context.setDefaultTimeout(15_000)
  for (const site of ['https://your-app.com/**', 'https://yourapp.com/**', 'https://acme.example/**']) {
    await context.route(site, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><html lang="en"><title>Your app</title><main><h1>Back at your app</h1></main></html>' }))
  }
  return context
}

let axeSource: string | undefined

/** The violations axe finds on the page as it is now, one line each (rule, impact, first targets). */
export async function axeViolations (page: Page): Promise<string[]> {
  // Evaluated through the browser's debugging protocol rather than added as a <script>: the pages' CSP (which only
  // allows their own scripts) does not apply to it, so any context can be checked, not only a bypassCSP one.
  axeSource ??= readFileSync(AXE_PATH, 'utf8')
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource)
  const violations = await page.evaluate(async (tags) => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is the injected global
    const result = await (window as any).axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
    return (result.violations as Array<{ id: string, impact: string, nodes: Array<{ target: string[] }> }>)
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`)
  }, TAGS)
  return violations
}

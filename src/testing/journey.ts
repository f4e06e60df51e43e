/**
 * The parts of a Playwright `Page` that `completeJourney` uses, declared here so that `ledgerite/testing` needs no
 * Playwright at run time or for type checking: pass a `Page` from `playwright-core`, `playwright` or `@playwright/test`.
 */
export interface JourneyPage {
  url(): string
  locator(selector: string): JourneyLocator
  getByLabel(text: string, options?: { exact?: boolean }): JourneyLocator
  waitForEvent(event: 'load', options?: { timeout?: number }): Promise<unknown>
  waitForURL(url: (url: URL) => boolean, options?: { timeout?: number, waitUntil?: 'commit' | 'load' }): Promise<void>
  evaluate(fn: () => void): Promise<unknown>
  waitForRequest(predicate: (request: { url(): string }) => boolean, options?: { timeout?: number }): Promise<{ url(): string }>
}

export interface JourneyLocator {
  count(): Promise<number>
  first(): JourneyLocator
  last(): JourneyLocator
  nth(index: number): JourneyLocator
  click(): Promise<void>
  fill(value: string): Promise<void>
  setChecked(checked: boolean): Promise<void>
  getAttribute(name: string): Promise<string | null>
  textContent(): Promise<string | null>
}

export interface JourneyOptions {
  /** The provider to pick when the page offers a choice, e.g. `ob-monzo` (default: the first listed). */
  provider?: string
  /** Model bank username (default `john`); see "Mock users" in the README. */
  user?: string
  /** Its password (default `doe`; `error.<reason>` users take any). */
  password?: string
  /** Account names (as the bank shows them) to share; the others are unticked. Default: all. */
  accounts?: string[]
  /**
   * `allow` (default) or `deny` at the bank. A failure at the bank that the journey holds (the page offering "Try
   * again" / "Try another bank") is ended with "Return to {client}", so the result carries the bank's reason.
   */
  bankDecision?: 'allow' | 'deny'
  /** `allow` (default) or `decline` on Ledgerite's consent screen. */
  consent?: 'allow' | 'decline'
  /** Per step (default 15 000 ms). */
  timeoutMs?: number
}

export interface JourneyResult {
  /** `connection_id` of the return URI's query. */
  connectionId: string | null
  /** `error` of the return URI's query (the failure reason), null on success. */
  error: string | null
  /** The return URI the browser landed on, query included. */
  url: string
}

const MAX_STEPS = 12
const PRIMARY_SUBMIT = 'form[method="post"] button.btn[type="submit"]:not(.secondary)'

/**
 * Drives the hosted authorisation pages and the model bank in a real browser, from wherever `page` is (the
 * `hosted_page.uri`, or the bank for configurations 4 and 5), until the browser lands on the client's return URI.
 * Each page is recognised by its form (picker, consent, the step before the bank, the bank's sign-in and accounts,
 * the result), in whichever language they speak; fields are found by their names. The return URI need not answer: the journey ends as soon as
 * the browser leaves Ledgerite.
 *
 * @example
 * ```ts
 * import { completeJourney } from 'ledgerite/testing'
 *
 * if (created.status === 'authorization_required') await page.goto(created.hosted_page.uri)
 * const result = await completeJourney(page, { provider: 'ob-monzo', user: 'john', password: 'doe' })
 * expect(result.connectionId).toBe(created.id)
 * ```
 */
export async function completeJourney (page: JourneyPage, options: JourneyOptions = {}): Promise<JourneyResult> {
  const timeout = options.timeoutMs ?? 15_000
  const origin = new URL(page.url()).origin
  const user = options.user ?? 'john'
  // johnN's password is doeN; john, john.million and error.<reason> users take doe.
  const password = options.password ?? `doe${/^john(\d+)$/.exec(user)?.[1] ?? ''}`
  const there = (selector: string) => page.locator(selector).count().then((n) => n > 0)
  // The desktop pages' live-update script reloads the page as soon as the journey's state changes, and the step
  // this click starts changes it: a reload landing before the step's own navigation would cancel it. Its polling
  // runs on timers, so clear them first (a person clicking is slower than a poll; a test is not).
  const quiet = () => page.evaluate(() => {
    const last = setTimeout(() => {}, 0) as unknown as number
    for (let id = 0; id <= last; id++) clearTimeout(id)
  })
  // Every step submits a form or follows a link to another page of Ledgerite's: wait for that page to load.
  const step = async (target: JourneyLocator) => {
    await quiet()
    await Promise.all([page.waitForEvent('load', { timeout }), target.click()])
  }
  let signIns = 0

  for (let i = 0; i < MAX_STEPS; i++) {
    if (new URL(page.url()).origin !== origin) break
    if (await there('input[type="password"]')) {
      if (++signIns > 1) throw new Error(`The bank refused the sign-in as ${user}: ${(await page.locator('main, body').first().textContent())?.trim()}`)
      // By name, not label: the bank's pages speak the journey's language.
      await page.locator('input[name="username"]').fill(user)
      await page.locator('input[name="password"]').fill(password)
      await step(page.locator('form:has(input[type="password"]) button[type="submit"]').first())
    } else if (await there('input[name="account_ids"]')) {
      if (options.accounts) {
        const boxes = page.locator('input[name="account_ids"]')
        const n = await boxes.count()
        for (let b = 0; b < n; b++) {
          const box = boxes.nth(b)
          const label = (await page.locator(`label[for="${await box.getAttribute('id')}"]`).first().textContent())?.trim() ?? ''
          await box.setChecked(options.accounts.some((a) => label.includes(a)))
        }
      }
      await step(page.locator(`button[name="decision"][value="${options.bankDecision ?? 'allow'}"]`))
    } else if (await there('button[name="provider_id"]')) {
      if (options.provider !== undefined && !/^[\w.-]+$/.test(options.provider)) throw new TypeError(`Not a provider id: ${JSON.stringify(options.provider)}`)
      const choice = options.provider ? page.locator(`button[name="provider_id"][value="${options.provider}"]`) : page.locator('button[name="provider_id"]').first()
      if (await choice.count() === 0) throw new Error(`The provider picker does not list ${options.provider}.`)
      await step(choice)
    } else if (await there('button[name="decision"][value="allow"]')) {
      await step(page.locator(`button[name="decision"][value="${options.consent === 'decline' ? 'decline' : 'allow'}"]`))
    } else if (await there('[data-held="true"]') && await there('button#give-up')) {
      // A failed bank attempt the journey holds: give up on it, as a test asking for that outcome means to. The
      // return URI comes as the redirect of that form's answer, which a test's stub for the client's site may never
      // see (Playwright routes only the first URL of a navigation): the result is read from the request itself.
      await quiet()
      const [request] = await Promise.all([
        page.waitForRequest((r) => new URL(r.url()).origin !== origin, { timeout }),
        page.locator('button#give-up').click(),
      ])
      return resultAt(new URL(request.url()))
    } else if (await there('a#continue, main .actions a')) {
      // The result (or error) page: its link leads back to the return URI.
      const link = page.locator('a#continue, main .actions a').first()
      await Promise.all([page.waitForURL((u) => u.origin !== origin, { timeout, waitUntil: 'commit' }), link.click()])
    } else if (await there(PRIMARY_SUBMIT)) {
      // The step before the bank ("Continue on this device" / "Continue to <bank>"): its primary button, not the
      // cancel link-button below it.
      await step(page.locator(PRIMARY_SUBMIT).first())
    } else {
      throw new Error(`completeJourney does not recognise the page at ${page.url()}: ${(await page.locator('body').textContent())?.trim()}`)
    }
  }
  const landed = new URL(page.url())
  if (landed.origin === origin) throw new Error(`The journey did not reach the return URI within ${MAX_STEPS} pages; it is at ${page.url()}.`)
  return resultAt(landed)
}

const resultAt = (landed: URL): JourneyResult =>
  ({ connectionId: landed.searchParams.get('connection_id'), error: landed.searchParams.get('error'), url: landed.href })

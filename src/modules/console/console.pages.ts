import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'

const here = dirname(fileURLToPath(import.meta.url))

/**
 * The Console's templates. Eta escapes every `<%= %>` (autoEscape); the templates use `<%~ %>` only for the
 * layout's body and for includes, which are themselves escaped templates — never for data.
 */
const eta = new Eta({ views: join(here, 'views'), cache: true, autoEscape: true })

/** The stylesheet, served from /console/assets/console.css (CSP: style-src 'self', no inline styles). */
export const CONSOLE_CSS = readFileSync(join(here, 'assets', 'console.css'), 'utf8')

/** `2026-11-26T07:07:25.123Z` → `2026-11-26 07:07:25 UTC`. */
export function formatTime (iso: string | null | undefined): string {
  if (!iso) return '—'
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)/.exec(iso)
  return m ? `${m[1]} ${m[2]} UTC` : iso
}

/** What every signed-in page's layout needs. */
export interface Chrome {
  /** The signed-in client; `webhookUri` decides whether deliveries can be redelivered (nowhere to send otherwise). */
  client: { id: string, name: string, webhookUri: string | null }
  csrf: string
  /** Which nav item is current. */
  section: 'connections' | 'webhooks' | 'settings'
}

export function renderPage (template: string, title: string, chrome: Chrome | undefined, data: Record<string, unknown>): string {
  return eta.render(`./${template}`, { ...data, title, chrome, formatTime })
}

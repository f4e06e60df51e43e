import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'
import type { Translate } from './i18n.ts'

/**
 * The hosted pages' templates (views/*.eta). Auto-escaping is on: `<%= %>` escapes & < > " ', and every value
 * that comes from a client or a user (names, metadata, search text) goes through it. `<%~ %>` is used only for
 * template output (the layout's body, included partials).
 */
const eta = new Eta({
  views: join(dirname(fileURLToPath(import.meta.url)), 'views'),
  autoEscape: true,
  cache: true,
})

export interface PageData {
  lang: string
  t: Translate
  title: string
  /** The end user's name (create's `user.name`), shown as text. */
  userName?: string | null
  /** Set on pages that follow the journey by themselves (status polling + no-JS refresh). */
  live?: { statusUri: string, state: string, /** No <noscript> refresh: a page the user is choosing on. */ quiet?: boolean }
  [key: string]: unknown
}

export function renderPage (view: 'picker' | 'consent' | 'handoff' | 'phone-opened' | 'continue' | 'waiting' | 'result' | 'held' | 'error', data: PageData): string {
  return eta.render(`./${view}`, data)
}

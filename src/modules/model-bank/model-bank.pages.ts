import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { escapeHtml } from '../../http/escape.ts'
import type { Provider } from '../providers/provider.catalog.ts'
import type { BankAccount } from '../providers/provider-adapter.ts'
import { type BankMessageKey, type BankTranslate, bankLanguage, bankTranslator } from './model-bank.messages.ts'

/**
 * The model bank's own pages (sign in, choose accounts, its error page): server-rendered with eta, every
 * interpolation auto-escaped (the few messages with emphasis are built by `rich`, which escapes too), no script at
 * all, so they work without JavaScript and a strict CSP costs nothing. They speak the journey's language
 * (model-bank.messages.ts), named on `<html lang>`.
 */
const eta = new Eta({ views: join(dirname(fileURLToPath(import.meta.url)), 'views'), autoEscape: true, cache: true })

export interface BankBrand {
  name: string
  color: string
  /** Text colour readable on `color` (WCAG contrast). */
  ink: string
  initial: string
}

/** Relative luminance (WCAG 2) of #RRGGBB. */
function luminance (hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

export function brandOf (provider: Provider): BankBrand {
  // The colour lands inside a <style> block: only a strict #RRGGBB may go there.
  const color = /^#[0-9A-Fa-f]{6}$/.test(provider.bg_color) ? provider.bg_color : '#33475B'
  const l = luminance(color)
  // Pick whichever of white and near-black contrasts more with the brand colour.
  const ink = (1.05 / (l + 0.05)) >= ((l + 0.05) / (luminance('#111111') + 0.05)) ? '#FFFFFF' : '#111111'
  return { name: provider.display_name, color, ink, initial: provider.display_name.charAt(0).toUpperCase() }
}

/**
 * A bank page narrows the surface's CSP (the shared layer sends it and the other headers: model-bank.routes.ts) to
 * nothing but this response's own style block (no scripts, no framing, no base or plugin). `form-action` is left
 * out on purpose: browsers apply it to the redirects after a form post, and the approve post ends at the client's
 * own return URI, which the bank cannot know.
 */
function secureHeaders (reply: FastifyReply, nonce: string): void {
  reply.header('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'`)
}

/** A page's language and its messages. */
export interface PageLanguage {
  lang: string
  t: BankTranslate
}

export const pageLanguage = (lang: string): PageLanguage => ({ lang, t: bankTranslator(lang) })

/** The query and form fields a bank page request carried, whichever it was. */
export function fieldsOf (request: FastifyRequest): Record<string, unknown> {
  const pick = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {})
  return { ...pick(request.query), ...pick(request.body) }
}

/**
 * A request's page language: `ui_locales` on the authorize link (every form carries it on, as does the redirect
 * after sign-in), else the consent's language, else the browser's Accept-Language (model-bank.messages.ts).
 */
export const languageOf = (request: FastifyRequest, consentLanguage: string | null | undefined): PageLanguage =>
  pageLanguage(bankLanguage(fieldsOf(request).ui_locales, consentLanguage, request.headers['accept-language']))

/** The bank's header when the provider is not known (an error page for a link to no catalogue provider). */
export function unknownBank ({ t }: PageLanguage): BankBrand {
  const name = t('page.bank')
  return { name, color: '#33475B', ink: '#FFFFFF', initial: name.charAt(0).toUpperCase() }
}

function page (reply: FastifyReply, status: number, view: string, title: string, bank: BankBrand, language: PageLanguage, data: object) {
  const nonce = randomBytes(16).toString('base64')
  const body = eta.render(view, { ...data, ...language, bank })
  const html = eta.render('layout', { ...language, title, bank, nonce, body })
  secureHeaders(reply, nonce)
  return reply.code(status).type('text/html; charset=utf-8').send(html)
}

type Emphasis = 'strong' | 'code'

/**
 * A message with some of its placeholders set off as markup (<strong>, <code>), as HTML: the message's own text
 * and every value are escaped, and only the named tags are added around the values. Word order stays the
 * translation's.
 */
export function rich (template: string, values: Record<string, { text: string, tag: Emphasis }>): string {
  return template.split(/(\{\w+\})/).map((part) => {
    const name = /^\{(\w+)\}$/.exec(part)?.[1]
    const value = name !== undefined && Object.hasOwn(values, name) ? values[name] : undefined
    return value ? `<${value.tag}>${escapeHtml(value.text)}</${value.tag}>` : escapeHtml(part)
  }).join('')
}

/** The message for a refusal shown on a form page; the form's fields are kept. */
export type LoginProblem = 'login.wrong' | 'login.missing'
export type AccountsProblem = 'accounts.none_chosen' | 'accounts.not_yours'

export function renderLogin (
  reply: FastifyReply,
  status: number,
  data: {
    language: PageLanguage, bank: BankBrand, clientName: string, consentId: string, csrf: string, action: string, username: string,
    error?: LoginProblem,
  },
) {
  const { t } = data.language
  return page(reply, status, 'login', t('login.title', { bank: data.bank.name }), data.bank, data.language, {
    heading: t('login.title', { bank: data.bank.name }),
    consentId: data.consentId,
    csrf: data.csrf,
    action: data.action,
    username: data.username,
    intro: rich(t('login.intro', { bank: data.bank.name }), { client: { text: data.clientName, tag: 'strong' } }),
    hint: rich(t('login.hint'), { user: { text: 'john', tag: 'code' }, password: { text: 'doe', tag: 'code' } }),
    error: data.error ? t(data.error) : '',
  })
}

const SCOPE_KEYS: Record<string, BankMessageKey> = {
  info: 'scope.info',
  accounts: 'scope.accounts',
  balance: 'scope.balance',
  transactions: 'scope.transactions',
}

function accountDetail (t: BankTranslate, a: BankAccount): string {
  const id = a.account_identifiers?.[0]
  const number = id?.type === 'sort_code_account_number'
    ? `${id.sort_code} •••• ${id.account_number.slice(-4)}`
    : id?.type === 'iban' ? `•••• ${id.iban.slice(-4)}` : ''
  const kind = t(a.type === 'card' ? 'account.card' : a.account_type === 'savings' ? 'account.savings' : 'account.current')
  return [kind, number, a.currency].filter(Boolean).join(' · ')
}

export function renderAccounts (
  reply: FastifyReply,
  status: number,
  data: {
    language: PageLanguage, bank: BankBrand, clientName: string, consentId: string, csrf: string, action: string, fullName: string,
    scopes: string[], dataAccessType: string, consentDays: number, accounts: BankAccount[], checked: Set<string> | 'all', error?: AccountsProblem,
  },
) {
  const { t } = data.language
  const accounts = data.accounts.map((a) => ({
    id: a.id,
    name: a.display_name ?? t(a.type === 'card' ? 'account.card' : 'account.unnamed'),
    detail: accountDetail(t, a),
    checked: data.checked === 'all' || data.checked.has(a.id),
  }))
  return page(reply, status, 'accounts', t('accounts.title', { client: data.clientName }), data.bank, data.language, {
    consentId: data.consentId,
    csrf: data.csrf,
    action: data.action,
    heading: t('accounts.title', { client: data.clientName }),
    signedIn: rich(t('accounts.signed_in'), { name: { text: data.fullName, tag: 'strong' } }),
    willSee: rich(t('accounts.will_see'), { client: { text: data.clientName, tag: 'strong' } }),
    scopes: data.scopes.map((s) => (Object.hasOwn(SCOPE_KEYS, s) ? t(SCOPE_KEYS[s]!) : s)),
    access: data.dataAccessType === 'one_time' ? t('access.one_time') : t('access.recurring', { days: data.consentDays }),
    accounts,
    error: data.error ? t(data.error) : '',
  })
}

/** What went wrong, as the bank's error page says it. */
export type BankProblem = 'incomplete' | 'not_found' | 'completed' | 'expired' | 'session' | 'form'

/** The bank's own error page: its header, the user's language, what to do next, and the trace id. */
export function renderError (reply: FastifyReply, status: number, data: { language: PageLanguage, bank: BankBrand, problem: BankProblem, traceId: string }) {
  const { t } = data.language
  const title = t(`error.${data.problem}_title`)
  return page(reply, status, 'error', title, data.bank, data.language, {
    heading: title,
    text: t(`error.${data.problem}_body`),
    trace: t('error.trace', { status }),
    traceId: data.traceId,
  })
}

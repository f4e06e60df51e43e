import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'
import type { FastifyReply } from 'fastify'
import type { BankAccount } from '../providers/provider-adapter.ts'
import type { Provider } from '../providers/provider.catalog.ts'

/**
 * The model bank's own pages (sign in, choose accounts): server-rendered with eta, every interpolation
 * auto-escaped, no script at all, so they work without JavaScript and a strict CSP costs nothing.
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
 * Security headers of every bank page: a CSP that allows nothing but this response's own style block
 * (no scripts, no framing — `frame-ancestors 'none'` — no base or plugin), and no caching or referrer leaks.
 * `form-action` is left out on purpose: browsers apply it to the redirects after a form post, and the approve
 * post ends at the client's own return URI, which the bank cannot know.
 */
function secureHeaders (reply: FastifyReply, nonce: string): void {
  reply.header('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'`)
  reply.header('X-Frame-Options', 'DENY')
  reply.header('Referrer-Policy', 'no-referrer')
  reply.header('Cache-Control', 'no-store')
}

function page (reply: FastifyReply, status: number, view: string, title: string, bank: BankBrand, data: object) {
  const nonce = randomBytes(16).toString('base64')
  const body = eta.render(view, { ...data, bank })
  const html = eta.render('layout', { title, bank, nonce, body })
  secureHeaders(reply, nonce)
  return reply.code(status).type('text/html; charset=utf-8').send(html)
}

export function renderLogin (
  reply: FastifyReply,
  status: number,
  data: { bank: BankBrand, clientName: string, consentId: string, csrf: string, action: string, username: string, error?: string },
) {
  return page(reply, status, 'login', `Sign in to ${data.bank.name}`, data.bank, { ...data, error: data.error ?? '' })
}

const SCOPE_WORDS: Record<string, string> = {
  info: 'Your name and contact details',
  accounts: 'Your account details (name, type, currency, account number)',
  balance: 'Your account balances',
  transactions: 'Your transactions, including pending ones',
}

export function scopeWords (scopes: string[]): string[] {
  return scopes.map((s) => SCOPE_WORDS[s] ?? s)
}

export function accessWords (dataAccessType: string, consentDays: number): string {
  return dataAccessType === 'one_time'
    ? 'One-time access: the information is read once, shortly after you allow it.'
    : `Ongoing access: the information may be read again for up to ${consentDays} days, unless you revoke access sooner.`
}

function accountDetail (a: BankAccount): string {
  const id = a.account_identifiers?.[0]
  const number = id?.type === 'sort_code_account_number'
    ? `${id.sort_code} •••• ${id.account_number.slice(-4)}`
    : id?.type === 'iban' ? `•••• ${id.iban.slice(-4)}` : ''
  const kind = a.type === 'card' ? 'Card' : a.account_type === 'savings' ? 'Savings account' : 'Current account'
  return [kind, number, a.currency].filter(Boolean).join(' · ')
}

export function renderAccounts (
  reply: FastifyReply,
  status: number,
  data: {
    bank: BankBrand, clientName: string, consentId: string, csrf: string, action: string, fullName: string,
    scopes: string[], access: string, accounts: BankAccount[], checked: Set<string> | 'all', error?: string,
  },
) {
  const accounts = data.accounts.map((a) => ({
    id: a.id,
    name: a.display_name ?? (a.type === 'card' ? 'Card' : 'Account'),
    detail: accountDetail(a),
    checked: data.checked === 'all' || data.checked.has(a.id),
  }))
  return page(reply, status, 'accounts', `Share your accounts with ${data.clientName}`, data.bank, { ...data, accounts, error: data.error ?? '' })
}

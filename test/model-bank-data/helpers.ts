import type { BankTransaction } from '../../src/modules/providers/provider-adapter.ts'
import { transactionsOf } from '../../src/modules/model-bank/data/index.ts'

export const DAY = 86_400_000

export function isoDate (ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

/** Every page of a range, in order, through the public function only. */
export function allPages (providerId: string, username: string, accountId: string, q: { from: string, to: string, pageSize: number, asOf: Date }, maxPages = 10_000): BankTransaction[][] {
  const pages: BankTransaction[][] = []
  let cursor: string | undefined
  for (let i = 0; i < maxPages; i++) {
    const page = transactionsOf(providerId, username, accountId, { ...q, cursor })
    pages.push(page.items)
    if (page.nextCursor === null) return pages
    cursor = page.nextCursor
  }
  throw new Error(`more than ${maxPages} pages`)
}

export function allItems (providerId: string, username: string, accountId: string, q: { from: string, to: string, pageSize: number, asOf: Date }): BankTransaction[] {
  return allPages(providerId, username, accountId, q).flat()
}

/** The bank's order: timestamp desc, then id desc. True when `a` comes strictly before `b`. */
export function strictlyBefore (a: BankTransaction, b: BankTransaction): boolean {
  return a.timestamp > b.timestamp || (a.timestamp === b.timestamp && a.id > b.id)
}

export function sumSettled (items: BankTransaction[]): number {
  return items.filter((t) => t.status === 'settled').reduce((s, t) => s + t.amount_in_minor, 0)
}

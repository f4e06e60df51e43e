import { createHash } from 'node:crypto'
import { pathToFileURL } from 'node:url'
import { LARGE_USERNAME, balanceOf, customerOf, transactionsOf } from '../../src/modules/model-bank/data/index.ts'

/**
 * A fingerprint of what the synthetic bank says about a few customers: their accounts, balances and two pages of
 * history, plus a page deep in the large account. Run directly, it prints the digest, so a test can compare a
 * fresh process with its own.
 */
export function digest (): string {
  const asOf = new Date('2026-06-15T10:30:00Z')
  const out: unknown[] = []
  for (const [provider, user] of [['ob-monzo', 'john'], ['ob-barclays', 'john7'], ['xs2a-n26-de', 'john42'], ['ob-tide', 'error.provider_error']] as const) {
    const customer = customerOf(provider, user)
    out.push(customer)
    for (const account of customer.accounts) {
      out.push(balanceOf(provider, user, account.id, asOf))
      const first = transactionsOf(provider, user, account.id, { from: '2024-06-15', to: '2026-06-15', pageSize: 100, asOf })
      out.push(first)
      if (first.nextCursor) out.push(transactionsOf(provider, user, account.id, { from: '2024-06-15', to: '2026-06-15', pageSize: 100, asOf, cursor: first.nextCursor }))
    }
  }
  const large = customerOf('mock', LARGE_USERNAME).accounts[0]!
  out.push(transactionsOf('mock', LARGE_USERNAME, large.id, { from: '2025-01-01', to: '2025-01-01', pageSize: 500, asOf }))
  out.push(balanceOf('mock', LARGE_USERNAME, large.id, asOf))
  return createHash('sha256').update(JSON.stringify(out)).digest('hex')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(digest())

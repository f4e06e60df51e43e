import type { BankAccount, BankBalance, BankTransactionPage } from '../../providers/provider-adapter.ts'

/**
 * The model bank's synthetic customers: deterministic per (provider, username), anchored to `asOf`.
 * Being implemented; the signatures are fixed.
 */
export interface BankCustomer {
  providerId: string
  username: string
  fullName: string
  accounts: BankAccount[]
}

export function customerOf (_providerId: string, _username: string): BankCustomer {
  throw new Error('synthetic data not implemented yet')
}

export function balanceOf (_providerId: string, _username: string, _accountId: string, _asOf: Date): BankBalance {
  throw new Error('synthetic data not implemented yet')
}

export function transactionsOf (
  _providerId: string,
  _username: string,
  _accountId: string,
  _query: { from: string, to: string, pageSize: number, cursor?: string, asOf: Date },
): BankTransactionPage {
  throw new Error('synthetic data not implemented yet')
}

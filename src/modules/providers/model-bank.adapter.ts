import { BankError, type ProviderAdapter } from './provider-adapter.ts'
import type { HttpFetch } from '../../http/inject-fetch.ts'

/** The model bank, reached over HTTP. Being implemented; the factory's signature is fixed. */
export function createModelBankAdapter (_fetch: () => HttpFetch, _baseUrl: string): ProviderAdapter {
  const missing = async (): Promise<never> => { throw new BankError('provider_error', 'The model bank adapter is not implemented yet.') }
  return { createConsent: missing, exchangeCode: missing, getUserInfo: missing, getAccounts: missing, getBalance: missing, getTransactions: missing, revoke: missing }
}

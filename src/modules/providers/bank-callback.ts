/**
 * Where every bank sends the user's browser back to Ledgerite: the redirect URI Ledgerite registers with a bank
 * as its third party (TPP), and the one it names on each consent. Held by the provider adapter, the door to any
 * bank, so the journey serving it and the in-process model bank registering it both read it here.
 */
export const BANK_CALLBACK_PATH = '/data/callback'

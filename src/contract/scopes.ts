/** Token scope that grants the Data API (client credentials). */
export const DATA_TOKEN_SCOPE = 'data'
/** Every scope the token endpoint can grant. */
export const TOKEN_SCOPES = ['data'] as const

/** What a connection can be consented for (`scopes` in create-connection). */
export const CONNECTION_SCOPES = ['info', 'accounts', 'balance', 'transactions'] as const
export type ConnectionScope = (typeof CONNECTION_SCOPES)[number]

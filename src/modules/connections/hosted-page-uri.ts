/**
 * The hosted page's address create-connection answers (`hosted_page.uri`): `${PUBLIC_URL}/data/{id}?token=…`. The
 * journey serves the page there; the token (stored hashed on the connection) is what lets a browser open it.
 */
export function hostedPageUri (publicUrl: string, connectionId: string, token: string): string {
  return `${publicUrl}/data/${encodeURIComponent(connectionId)}?token=${encodeURIComponent(token)}`
}

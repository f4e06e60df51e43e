import { createHash, randomBytes, randomUUID } from 'node:crypto'

/** The only place ids and secrets are made. Resource ids are UUIDs like the real service's. */
export const ids = {
  uuid: (): string => randomUUID(),
  /** Client ids in the sandbox style: `sandbox-<name>-<6 hex>`. */
  clientId: (name: string): string => {
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24) || 'client'
    return `sandbox-${slug}-${randomBytes(3).toString('hex')}`
  },
  /** An unguessable single-purpose token (256 bits), URL-safe. */
  token: (): string => randomBytes(32).toString('base64url'),
  /** Account ids in the style of the published example: 32 hex characters. */
  hex32: (): string => randomBytes(16).toString('hex'),
}

/** Tokens and secrets are stored only as their SHA-256. */
export function sha256 (value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

import { createHash, randomBytes, randomFillSync, randomUUID } from 'node:crypto'

/**
 * Random bytes for tokens and ids are drawn from a pool filled 4 KiB at a time (as randomUUID does by itself): one
 * call into the CSPRNG per 128 tokens instead of one each. Every byte is handed out once; a refill makes a new
 * buffer, so nothing already handed out is overwritten.
 */
const POOL_BYTES = 4096
let pool = Buffer.alloc(0)
let used = 0
function pooledBytes (n: number): Buffer {
  if (used + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES))
    used = 0
  }
  const bytes = pool.subarray(used, used + n)
  used += n
  return bytes
}

/** The only place ids and secrets are made. Resource ids are UUIDs like the real service's. */
export const ids = {
  uuid: (): string => randomUUID(),
  /** Client ids in the sandbox style: `sandbox-<name>-<6 hex>`. */
  clientId: (name: string): string => {
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 24) || 'client'
    return `sandbox-${slug}-${randomBytes(3).toString('hex')}`
  },
  /** An unguessable single-purpose token (256 bits), URL-safe. */
  token: (): string => pooledBytes(32).toString('base64url'),
  /** Account ids in the style of the published example: 32 hex characters. */
  hex32: (): string => pooledBytes(16).toString('hex'),
}

/** Tokens and secrets are stored only as their SHA-256. */
export function sha256 (value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

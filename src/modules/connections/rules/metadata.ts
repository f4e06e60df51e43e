// "metadata — Supports up to 10 key-value pairs, with keys up to 40 characters each and values up to 500 characters each."
import type { Rule } from './rule.ts'
import { obj } from './rule.ts'

export const METADATA_LIMITS = { keys: 10, keyLength: 40, valueLength: 500 } as const

export const metadataLimits: Rule = {
  name: 'metadata limits',
  check ({ body }, errors) {
    const metadata = obj(obj(body)?.metadata)
    if (!metadata) return
    const keys = Object.keys(metadata)
    if (keys.length > METADATA_LIMITS.keys) {
      // Reported once for the object: a message per key of a huge object would be a huge answer.
      errors.add('metadata', `must have at most ${METADATA_LIMITS.keys} keys (has ${keys.length})`)
      return
    }
    for (const key of keys) {
      // Lengths in characters (code points), as a user counts them.
      const keyLength = [...key].length
      if (keyLength > METADATA_LIMITS.keyLength) errors.add(`metadata.${key}`, `key must be at most ${METADATA_LIMITS.keyLength} characters (is ${keyLength})`)
      const value = metadata[key]
      if (typeof value === 'string' && [...value].length > METADATA_LIMITS.valueLength) {
        errors.add(`metadata.${key}`, `value must be at most ${METADATA_LIMITS.valueLength} characters (is ${[...value].length})`)
      }
    }
  },
}

/**
 * Deterministic randomness for the synthetic bank. Nothing here reads Math.random or the clock: every value is a
 * pure function of its inputs, so a customer's data is identical in every process and after every restart.
 */

/** Murmur3's finaliser: a cheap, well-mixed 32-bit permutation. */
export function fmix32 (h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** FNV-1a over the UTF-16 code units, finalised with fmix32. */
export function hashString (s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return fmix32(h)
}

/** Mixes integers (any safe integer, negative too) into one 32-bit value; order matters. */
export function mix (...parts: number[]): number {
  let h = 0x9e3779b9
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!
    const lo = p >>> 0
    const hi = p >= 0 && p < 0x100000000 ? 0 : Math.floor(p / 0x100000000) >>> 0
    h = fmix32((h ^ lo) + 0x7f4a7c15)
    h = fmix32((h ^ hi) + 0x6a09e667)
  }
  return h
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

function hex32 (n: number): string {
  return HEX[(n >>> 24) & 255]! + HEX[(n >>> 16) & 255]! + HEX[(n >>> 8) & 255]! + HEX[n & 255]!
}

/**
 * 32 lowercase hex characters (128 bits) derived from integers: the id format of accounts and transactions.
 * Two independent 32-bit hashes carry the entropy (64 bits: no collision among a few million ids); the other two
 * words are derived from them.
 */
export function hexId (...parts: number[]): string {
  const a = mix(...parts, 1)
  const b = mix(...parts, 2)
  const c = fmix32(a ^ 0x27d4eb2f) ^ b
  const d = fmix32(b ^ 0x165667b1) ^ a
  return hex32(a) + hex32(b) + hex32(c >>> 0) + hex32(d >>> 0)
}

/** A short hex digest of a string, for cursor fingerprints. */
export function shortDigest (s: string): string {
  return hex32(hashString(s, 0x5bd1e995))
}

/** sfc32: small, fast and good enough for synthetic data. Seeded from integers only. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  constructor (...seed: number[]) {
    this.a = mix(...seed, 11)
    this.b = mix(...seed, 12)
    this.c = mix(...seed, 13)
    this.d = 1
    for (let i = 0; i < 12; i++) this.u32()
  }

  u32 (): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }

  /** Uniform in [0, 1). */
  next (): number {
    return this.u32() / 0x100000000
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int (lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1))
  }

  chance (p: number): boolean {
    return this.next() < p
  }

  pick<T> (items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[Math.floor(this.next() * items.length)]!
  }

  /** Picks by weight; weights need not sum to 1. */
  weighted<T> (items: ReadonlyArray<readonly [T, number]>): T {
    let total = 0
    for (const [, w] of items) total += w
    let r = this.next() * total
    for (const [item, w] of items) {
      r -= w
      if (r < 0) return item
    }
    return items[items.length - 1]![0]
  }

  /** `n` distinct items, in the list's order. */
  sample<T> (items: readonly T[], n: number): T[] {
    const idx = items.map((_, i) => i)
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      ;[idx[i], idx[j]] = [idx[j]!, idx[i]!]
    }
    return idx.slice(0, Math.min(n, items.length)).sort((x, y) => x - y).map((i) => items[i]!)
  }

  /** A string of `n` decimal digits (leading zeros kept). */
  digits (n: number): string {
    let s = ''
    for (let i = 0; i < n; i++) s += String(this.int(0, 9))
    return s
  }

  /** A string of `n` upper-case letters and digits. */
  alnum (n: number): string {
    const chars = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'
    let s = ''
    for (let i = 0; i < n; i++) s += chars[this.int(0, chars.length - 1)]
    return s
  }
}

import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ids } from '../src/contract/ids.ts'

/** Tokens and account ids come from a pool of random bytes: each must still be fresh, across pool refills too. */
test('tokens and hex ids are unique and well formed across many pool refills', () => {
  const tokens = Array.from({ length: 1000 }, () => ids.token())
  const hexes = Array.from({ length: 1000 }, () => ids.hex32())
  assert.equal(new Set(tokens).size, tokens.length, 'no token repeats')
  assert.equal(new Set(hexes).size, hexes.length, 'no hex id repeats')
  for (const t of tokens) assert.match(t, /^[A-Za-z0-9_-]{43}$/, '256 bits, URL-safe')
  for (const h of hexes) assert.match(h, /^[0-9a-f]{32}$/)
  // A token handed out is a string: later draws cannot change it.
  const first = ids.token()
  const copy = `${first}`
  for (let i = 0; i < 500; i++) ids.token()
  assert.equal(first, copy)
})

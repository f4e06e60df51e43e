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

test('ordered UUIDs are version 7 with the time in front: unique, RFC 9562 shaped, and sorted by when they were made', async () => {
  const before = Date.now()
  const first = Array.from({ length: 2000 }, () => ids.orderedUuid())
  await new Promise((r) => setTimeout(r, 5))
  const later = ids.orderedUuid()
  const after = Date.now()
  assert.equal(new Set(first).size, first.length, 'no id repeats')
  for (const id of [...first, later]) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  const ms = (id: string) => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)
  for (const id of first) assert.ok(ms(id) >= before && ms(id) <= after, 'the first 48 bits are the Unix time in ms')
  assert.ok(first.every((id) => id < later), 'an id made a few milliseconds later sorts after every earlier one')
})

import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import type { BankAccount, BankTransaction } from '../../src/modules/providers/provider-adapter.ts'
import { CATEGORY_TABLE, V1_CLASSIFICATIONS } from '../../src/modules/model-bank/data/categories.ts'
import { LARGE_USERNAME, customerOf, transactionsOf } from '../../src/modules/model-bank/data/index.ts'
import { componentValidator, describeErrors } from '../conformance/published-contract.validator.ts'
import { digest } from './digest.ts'
import { allItems } from './helpers.ts'

const ASOF = new Date('2026-11-26T09:15:00Z')
const WINDOW = { from: '2024-11-26', to: '2026-11-26', pageSize: 500, asOf: ASOF }
const USERS = ['john', ...Array.from({ length: 100 }, (_, i) => `john${i + 1}`)]

/** IBAN check digits recomputed here with BigInt, independently of the bank's own code. */
function ibanValid (iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  const numeric = rearranged.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55))
  return BigInt(numeric) % 97n === 1n
}

function wireAccount (a: BankAccount): Record<string, unknown> {
  const { display_name: _shown, ...wire } = a
  return wire
}

function wireTransaction (t: BankTransaction): Record<string, unknown> {
  const { merchant_name, category_code, category_name, ...rest } = t
  const enrichment: Record<string, unknown> = {}
  if (merchant_name !== undefined) enrichment.merchant_name = merchant_name
  if (category_code !== undefined) enrichment.transaction_category = { category_code, category_name }
  return { ...rest, enrichment }
}

test('the same (provider, username) is the same customer every time, and in a fresh process', () => {
  assert.deepEqual(customerOf('ob-monzo', 'john'), customerOf('ob-monzo', 'john'))
  const here = digest()
  assert.equal(digest(), here)
  const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./digest.ts', import.meta.url))], { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) })
  assert.equal(child.status, 0, child.stderr)
  assert.equal(child.stdout.trim(), here)
})

test('different usernames and providers are different customers; a returned customer cannot alter the bank', () => {
  const ids = new Set<string>()
  const names = new Set<string>()
  for (const user of USERS) {
    const c = customerOf('ob-monzo', user)
    names.add(c.fullName)
    for (const a of c.accounts) {
      assert.ok(!ids.has(a.id), `account id ${a.id} repeated`)
      ids.add(a.id)
    }
  }
  assert.ok(names.size > 50, `only ${names.size} distinct names among 101 customers`)
  assert.notDeepEqual(customerOf('ob-barclays', 'john').accounts[0]!.id, customerOf('ob-monzo', 'john').accounts[0]!.id)
  const c = customerOf('ob-monzo', 'john')
  c.accounts[0]!.currency = 'EUR'
  c.fullName = 'Someone Else'
  assert.equal(customerOf('ob-monzo', 'john').accounts[0]!.currency, 'GBP')
})

test('accounts: one to four, current first, identifiers in the contract formats, valid for the published schemas', () => {
  const accountSchema = componentValidator('Account')
  const cardSchema = componentValidator('Card')
  const seen = { savings: 0, fx: 0, card: 0 }
  for (const provider of ['ob-monzo', 'ob-barclays-business', 'ob-tide']) {
    for (const user of USERS) {
      const c = customerOf(provider, user)
      assert.ok(c.accounts.length >= 1 && c.accounts.length <= 4)
      const [current, ...rest] = c.accounts
      assert.equal(current!.type, 'account')
      assert.equal(current!.account_type, 'current')
      assert.equal(current!.currency, 'GBP')
      const scan = current!.account_identifiers?.[0]
      assert.ok(scan && scan.type === 'sort_code_account_number')
      assert.match(scan.sort_code, /^[0-9]{6}$/)
      assert.match(scan.account_number, /^[0-9]{8}$/)
      for (const a of c.accounts) {
        assert.match(a.id, /^[0-9a-f]{32}$/)
        if (a.type === 'card') {
          assert.deepEqual(Object.keys(a).sort(), ['currency', 'display_name', 'id', 'type'])
          assert.ok(cardSchema(wireAccount(a)), describeErrors(cardSchema))
          seen.card++
          continue
        }
        assert.ok(accountSchema(wireAccount(a)), describeErrors(accountSchema))
        assert.deepEqual(a.account_holder_names, [c.fullName])
        assert.equal(a.customer_segment, provider === 'ob-monzo' ? 'retail' : 'business')
        assert.match(a.bic!, /^[A-Z]{4}GB[A-Z0-9]{2}([A-Z0-9]{3})?$/)
        if (a.account_type === 'savings') seen.savings++
        if (a.currency === 'EUR') {
          seen.fx++
          const id = a.account_identifiers?.[0]
          assert.ok(id && id.type === 'iban')
          assert.match(id.iban, /^GB[0-9]{2}[A-Z]{4}[0-9]{14}$/)
          assert.ok(ibanValid(id.iban), `${id.iban} fails mod 97`)
        }
      }
      assert.ok(rest.every((a) => a.id !== current!.id))
    }
  }
  assert.equal(customerOf('ob-monzo', 'john').accounts[0]!.bic, 'MONZGB2LXXX')
  // "Often" a savings account, "sometimes" a euro account or a card.
  assert.ok(seen.savings > 100 && seen.fx > 30 && seen.card > 30, JSON.stringify(seen))
})

test('customers of continental providers bank in euros, with valid IBANs in their country layout', () => {
  for (const [provider, country] of [['xs2a-n26-de', 'DE'], ['stet-societe-generale', 'FR'], ['xs2a-redsys-bbva', 'ES'], ['xs2a-abn-amro', 'NL'], ['xs2a-kbc-be', 'BE'], ['xs2a-nordea-fi', 'FI'], ['ob-boi-ie', 'IE'], ['xs2a-unicredit-it', 'IT'], ['xs2a-erste-at', 'AT']] as const) {
    for (const user of USERS.slice(0, 20)) {
      for (const a of customerOf(provider, user).accounts) {
        assert.equal(a.currency, 'EUR')
        if (a.type === 'card') continue
        const id = a.account_identifiers?.[0]
        assert.ok(id && id.type === 'iban', `${provider} account without IBAN`)
        assert.match(id.iban, /^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$/)
        assert.equal(id.iban.slice(0, 2), country)
        assert.ok(ibanValid(id.iban), `${id.iban} fails mod 97`)
      }
    }
  }
})

test('mock users: error.<reason> is an ordinary customer; the large user has one current account', () => {
  const err = customerOf('mock', 'error.account_temporarily_locked')
  assert.ok(err.accounts.length >= 1)
  assert.ok(err.fullName.includes(' '))
  const large = customerOf('mock', LARGE_USERNAME)
  assert.equal(large.accounts.length, 1)
  assert.equal(large.accounts[0]!.account_type, 'current')
})

test('categories: C_BL_00 is "Bills - Generic", every code is C_<2 letters>_<2 digits>, derived from the v1 table', () => {
  assert.deepEqual(CATEGORY_TABLE.find((c) => c.category_code === 'C_BL_00'), { category_code: 'C_BL_00', category_name: 'Bills - Generic' })
  const codes = new Set(CATEGORY_TABLE.map((c) => c.category_code))
  assert.equal(codes.size, CATEGORY_TABLE.length)
  assert.equal(CATEGORY_TABLE.length, 19 + 94)
  for (const c of CATEGORY_TABLE) assert.match(c.category_code, /^C_[A-Z]{2}_[0-9]{2}$/)
  const shared = '/work/shared/data/categories.json'
  if (existsSync(shared)) assert.deepEqual(V1_CLASSIFICATIONS, JSON.parse(readFileSync(shared, 'utf8')).v1_classifications)
})

test('two years of believable history: income, housing, bills, groceries, subscriptions, transport, transfers, refunds, interest', () => {
  const seen = new Set<string>()
  const transactionSchema = componentValidator('Transaction')
  let salaryMonths = 0
  for (const user of USERS.slice(0, 12)) {
    const c = customerOf('ob-monzo', user)
    const byAccount = new Map(c.accounts.map((a) => [a.id, allItems('ob-monzo', user, a.id, WINDOW)]))
    const current = byAccount.get(c.accounts[0]!.id)!
    assert.ok(current.length > 800 && current.length < 4000, `${user}: ${current.length} transactions on the current account`)
    for (const [, items] of byAccount) {
      for (const t of items) {
        assert.ok(Number.isInteger(t.amount_in_minor) && t.amount_in_minor !== 0)
        assert.match(t.timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
        if (t.category_code) assert.ok(CATEGORY_TABLE.some((x) => x.category_code === t.category_code && x.category_name === t.category_name))
        assert.ok(transactionSchema(wireTransaction(t)), describeErrors(transactionSchema))
        for (const word of ['SALARY', 'TESCO', 'SAINSBURYS', 'ALDI', 'LIDL', 'WAITROSE', 'M&S', 'NETFLIX', 'SPOTIFY', 'AMAZON PRIME', 'APPLE.COM', 'TFL TRAVEL CH', 'TRAINLINE', 'UBER', 'CTAX', 'INTEREST PAID', 'REFUND', 'CASH', 'COSTA', 'PRET']) {
          if (t.description.includes(word)) seen.add(word)
        }
        if (t.category_code === 'C_HM_01' || t.category_code === 'C_HM_02') seen.add('housing')
        if (t.category_code === 'C_BL_05') seen.add('utilities')
        if (t.category_code === 'C_BL_04') seen.add('phone')
      }
    }
    const salaries = new Set(current.filter((t) => t.description.startsWith('SALARY ') && t.amount_in_minor > 0).map((t) => t.timestamp.slice(0, 7)))
    if (salaries.size >= 24) salaryMonths++
    // Transfers between own accounts come in matching pairs.
    const savings = c.accounts.find((a) => a.account_type === 'savings')
    if (savings) {
      const other = byAccount.get(savings.id)!
      const out = current.filter((t) => t.description.startsWith('TRANSFER TO SAVINGS') || t.description.startsWith('TRANSFER FROM SAVINGS'))
      assert.ok(out.length >= 20)
      for (const t of out) assert.ok(other.some((s) => s.timestamp === t.timestamp && s.amount_in_minor === -t.amount_in_minor && s.description.includes('CURRENT')), `no matching leg for ${t.description} ${t.timestamp}`)
      assert.ok(other.filter((t) => t.description === 'INTEREST PAID').length >= 23)
      seen.add('transfer pairs')
    }
  }
  assert.ok(salaryMonths >= 10, `only ${salaryMonths} of 12 customers were paid every month`)
  for (const word of ['SALARY', 'TESCO', 'SAINSBURYS', 'ALDI', 'LIDL', 'WAITROSE', 'M&S', 'NETFLIX', 'SPOTIFY', 'AMAZON PRIME', 'APPLE.COM', 'TFL TRAVEL CH', 'TRAINLINE', 'UBER', 'CTAX', 'INTEREST PAID', 'REFUND', 'CASH', 'housing', 'utilities', 'phone', 'transfer pairs']) {
    assert.ok(seen.has(word), `no ${word} in 12 customers' history`)
  }
})

test('a card shows purchases and the monthly repayment from the current account', () => {
  const user = USERS.find((u) => customerOf('ob-monzo', u).accounts.some((a) => a.type === 'card'))!
  const c = customerOf('ob-monzo', user)
  const card = c.accounts.find((a) => a.type === 'card')!
  const items = transactionsOf('ob-monzo', user, card.id, { ...WINDOW, pageSize: 500 }).items
  assert.ok(items.some((t) => t.amount_in_minor < 0 && t.merchant_name))
  const repayments = items.filter((t) => t.description === 'DIRECT DEBIT PAYMENT - THANK YOU')
  assert.ok(repayments.length >= 1)
  const current = allItems('ob-monzo', user, c.accounts[0]!.id, WINDOW)
  for (const r of repayments) assert.ok(current.some((t) => t.timestamp === r.timestamp && t.amount_in_minor === -r.amount_in_minor))
})

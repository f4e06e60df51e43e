import assert from 'node:assert/strict'
import { test } from 'node:test'
import { balanceChart, dailyBalances } from '../../src/modules/console/console.chart.ts'

test('daily balances are worked back from today: a day ends with everything settled up to it', () => {
  const series = dailyBalances(10_000, [
    { timestamp: '2026-01-10T08:00:00Z', amount_in_minor: -1_000, status: 'settled' },
    { timestamp: '2026-01-10T18:00:00Z', amount_in_minor: -500, status: 'settled' },
    { timestamp: '2026-01-09T12:00:00Z', amount_in_minor: 4_000, status: 'settled' },
    { timestamp: '2026-01-08T12:00:00Z', amount_in_minor: -99_999, status: 'pending' },
  ], '2026-01-10', 4)
  assert.deepEqual(series, [
    { date: '2026-01-07', balance: 7_500 },
    { date: '2026-01-08', balance: 7_500 },
    { date: '2026-01-09', balance: 11_500 },
    { date: '2026-01-10', balance: 10_000 },
  ])
})

test('a transaction the bank dates after today is already in the balance and does not shift history', () => {
  const series = dailyBalances(5_000, [{ timestamp: '2026-01-11T00:30:00Z', amount_in_minor: 1_000, status: 'settled' }], '2026-01-10', 2)
  assert.deepEqual(series.map((p) => p.balance), [4_000, 4_000])
})

test('chart geometry: nice y ticks covering the range, a zero line when overdrawn, labelled axes, weekly table', () => {
  const series = dailyBalances(25_000, [{ timestamp: '2026-02-15T10:00:00Z', amount_in_minor: 40_000, status: 'settled' }], '2026-03-01', 30)
  const chart = balanceChart(series, 'GBP')
  assert.ok(chart)
  assert.equal(series[0]!.balance, -15_000)
  assert.deepEqual(chart.yTicks.map((t) => t.label), ['-£200', '-£100', '£0', '£100', '£200', '£300'])
  assert.ok(chart.zeroY !== undefined && chart.zeroY > chart.plot.top && chart.zeroY < chart.plot.bottom)
  assert.equal(chart.path.split(/[ML]/).filter(Boolean).length, 30)
  // x ticks at month starts when there are at least two; otherwise every 14 days.
  assert.deepEqual(chart.xTicks.map((t) => t.label), ['1 Feb', '1 Mar'])
  const short = balanceChart(dailyBalances(100, [], '2026-02-20', 20), 'GBP')!
  assert.deepEqual(short.xTicks.map((t) => t.label), ['1 Feb', '15 Feb'])
  assert.equal(chart.yLabel, 'Balance (GBP)')
  assert.match(chart.summary, /^Balance went from -£150\.00 on 31 Jan 2026 to £250\.00 on 1 Mar 2026; lowest -£150\.00 on 31 Jan 2026, highest £250\.00 on 15 Feb 2026\.$/)
  assert.equal(chart.table.at(-1)!.date, '1 Mar 2026')
  assert.equal(chart.table.length, 5)
  // Every point is inside the plot.
  for (const [, x, y] of chart.path.matchAll(/[ML]([\d.]+) ([\d.]+)/g)) {
    assert.ok(Number(x) >= chart.plot.left && Number(x) <= chart.plot.right)
    assert.ok(Number(y) >= chart.plot.top && Number(y) <= chart.plot.bottom)
  }
})

test('a flat balance still draws (padded range), and a single day draws nothing', () => {
  const flat = balanceChart(dailyBalances(1234, [], '2026-03-01', 91), 'EUR')
  assert.ok(flat)
  assert.ok(flat.yTicks.length >= 2)
  assert.match(flat.summary, /€12\.34/)
  assert.deepEqual(flat.xTicks.map((t) => t.label), ['1 Dec', '1 Jan', '1 Feb', '1 Mar'])
  assert.equal(balanceChart(dailyBalances(1, [], '2026-03-01', 1), 'GBP'), undefined)
})

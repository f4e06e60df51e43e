import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Metrics } from '../../src/http/metrics.ts'

const line = (body: string, prefix: string) => body.split('\n').find((l) => l.startsWith(`${prefix} `))

test('the latency histogram is cumulative per bucket, with +Inf, sum and count per route', async () => {
  const m = new Metrics()
  m.observeRequest('GET', '/a', 200, 0.003)
  m.observeRequest('GET', '/a', 200, 0.005)
  m.observeRequest('GET', '/a', 500, 7)
  m.observeRequest('POST', '/a', 201, 0.0001)
  const body = await m.render()
  const bucket = (le: string) => line(body, `ledgerite_http_request_duration_seconds_bucket{method="GET",route="/a",le="${le}"}`)
  assert.equal(bucket('0.0025'), 'ledgerite_http_request_duration_seconds_bucket{method="GET",route="/a",le="0.0025"} 0')
  // 0.005 falls in the bucket whose bound it equals (le: less than or equal).
  assert.match(bucket('0.005')!, / 2$/)
  assert.match(bucket('5')!, / 2$/)
  assert.match(bucket('+Inf')!, / 3$/)
  assert.match(line(body, 'ledgerite_http_request_duration_seconds_count{method="GET",route="/a"}')!, / 3$/)
  assert.equal(Number(line(body, 'ledgerite_http_request_duration_seconds_sum{method="GET",route="/a"}')!.split(' ')[1]), 7.008)
  assert.match(line(body, 'ledgerite_http_request_duration_seconds_bucket{method="POST",route="/a",le="0.001"}')!, / 1$/)
  assert.match(line(body, 'ledgerite_http_requests_total{method="GET",route="/a",status="500"}')!, / 1$/)
  assert.match(line(body, 'ledgerite_http_requests_total{method="GET",route="/a",status="200"}')!, / 2$/)
})

test('label values are escaped, counters add up per label set, gauges are read when scraped', async () => {
  const m = new Metrics()
  m.observeRequest('GET', '/a"b\\c', 200, 0.01)
  m.inc('ledgerite_test_refusals_total', 'Test refusals.', { endpoint: 'x' })
  m.inc('ledgerite_test_refusals_total', 'Test refusals.', { endpoint: 'x' }, 2)
  m.inc('ledgerite_test_refusals_total', 'Test refusals.', { endpoint: 'y' })
  let depth = 4
  m.gauge('ledgerite_test_depth', 'Test depth.', async () => depth)
  let body = await m.render()
  assert.ok(body.includes('ledgerite_http_requests_total{method="GET",route="/a\\"b\\\\c",status="200"} 1'), body)
  assert.match(body, /^ledgerite_test_refusals_total\{endpoint="x"\} 3$/m)
  assert.match(body, /^ledgerite_test_refusals_total\{endpoint="y"\} 1$/m)
  assert.match(body, /^# TYPE ledgerite_test_refusals_total counter$/m)
  assert.match(body, /^ledgerite_test_depth 4$/m)
  depth = Number.NaN
  body = await m.render()
  assert.match(body, /^ledgerite_test_depth nan$/im)
})

test('every app of a process renders the process metrics, collected once', async () => {
  const a = new Metrics()
  const b = new Metrics()
  for (const m of [a, b]) {
    const body = await m.render()
    assert.match(body, /^# TYPE nodejs_eventloop_lag_seconds gauge$/m)
    assert.equal(body.match(/^# TYPE process_cpu_seconds_total /gm)?.length, 1)
  }
})

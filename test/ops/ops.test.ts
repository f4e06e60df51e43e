import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildTestApp } from '../helpers/build-app.ts'

test('healthz and readyz answer; readyz names the database', async (t) => {
  const h = await buildTestApp(t)
  const live = await h.inject({ method: 'GET', url: '/healthz' })
  assert.equal(live.statusCode, 200)
  assert.deepEqual(live.json(), { status: 'ok' })
  const ready = await h.inject({ method: 'GET', url: '/readyz' })
  assert.equal(ready.statusCode, 200)
  assert.equal(ready.json().database, h.deps.dialect)
})

test('readyz is 503 when the database is gone', async (t) => {
  const h = await buildTestApp(t)
  await h.deps.db.destroy()
  const res = await h.inject({ method: 'GET', url: '/readyz' })
  assert.equal(res.statusCode, 503)
  assert.equal(res.json().status, 'unavailable')
})

test('metrics count requests per route pattern, with latency histogram and webhook queue depth', async (t) => {
  const h = await buildTestApp(t)
  await h.inject({ method: 'GET', url: '/healthz' })
  await h.inject({ method: 'GET', url: '/no-such-route' })
  const res = await h.inject({ method: 'GET', url: '/metrics' })
  assert.equal(res.statusCode, 200)
  assert.match(res.headers['content-type'] as string, /^text\/plain/)
  assert.match(res.body, /ledgerite_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/)
  assert.match(res.body, /ledgerite_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/)
  assert.match(res.body, /ledgerite_http_request_duration_seconds_count\{method="GET",route="\/healthz"\} 1/)
  assert.match(res.body, /ledgerite_webhook_queue_depth 0/)
  // The process's own, from prom-client: CPU, memory and event-loop lag.
  assert.match(res.body, /^process_cpu_seconds_total \d/m)
  assert.match(res.body, /^process_resident_memory_bytes \d/m)
  assert.match(res.body, /^nodejs_eventloop_lag_seconds \d/m)
})

test('every response carries Tl-Trace-Id, and problem bodies carry the same trace_id', async (t) => {
  const h = await buildTestApp(t)
  const res = await h.inject({ method: 'GET', url: '/no-such-route' })
  assert.equal(res.statusCode, 404)
  assert.match(res.headers['content-type'] as string, /^application\/problem\+json/)
  const trace = res.headers['tl-trace-id']
  assert.match(String(trace), /^[0-9a-f]{32}$/)
  assert.equal(res.json().trace_id, trace)
  assert.equal(res.json().title, 'Not Found')
})

import { collectDefaultMetrics, Counter, Gauge, type Metric, Registry } from 'prom-client'

/**
 * Prometheus metrics for /metrics, rendered by prom-client: Ledgerite's own (requests and latency per route,
 * counters such as rate-limit refusals, gauges read at scrape time such as the webhook queue depth) and the
 * process's (CPU, memory, handles, GC, event-loop lag).
 *
 * The two per-request metrics are counted here, not with prom-client's Counter and Histogram: those hash their label
 * object on every call (a closure, a pairs object and a key string per observation; about three times the time of
 * the counting below, measured), and this runs on every request. Here, after a route's first request, it is two map
 * lookups and a few additions; prom-client reads the totals only when scraped.
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

interface RequestCount { labels: { method: string, route: string, status: string }, value: number }
/** `perBucket[i]`: requests that fell in bucket i alone (made cumulative when scraped); the last slot is over 5 s. */
interface Durations { labels: { method: string, route: string }, perBucket: number[], sum: number, count: number }
interface Sample { metricName?: string, labels: Record<string, string>, value: number }

/**
 * Process metrics describe the process, however many apps it builds (a test run builds hundreds), and their
 * collectors (event-loop delay monitor, GC observer) are not to be made twice: one registry per process.
 */
let processRegistry: Registry | undefined
function processMetrics (): Registry {
  if (!processRegistry) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}

/** A metric whose samples are computed when scraped, in the shape prom-client's registry renders. */
function scraped (name: string, help: string, type: 'counter' | 'histogram', samples: () => Sample[]): Metric {
  const get = async () => ({ name, help, type, aggregator: 'sum' as const, values: samples() })
  return { name, help, type, aggregator: 'sum', get } as unknown as Metric
}

export class Metrics {
  private readonly registry = new Registry()
  private readonly requests = new Map<string, RequestCount>()
  private readonly durations = new Map<string, Durations>()
  private readonly counters = new Map<string, Counter>()

  constructor () {
    processMetrics()
    this.registry.registerMetric(scraped('ledgerite_http_requests_total', 'HTTP requests by method, route and status.', 'counter',
      () => [...this.requests.values()].map(({ labels, value }) => ({ labels, value }))))
    this.registry.registerMetric(scraped('ledgerite_http_request_duration_seconds', 'HTTP request latency by method and route.', 'histogram',
      () => [...this.durations.values()].flatMap(histogramSamples('ledgerite_http_request_duration_seconds'))))
  }

  /** Runs once per request: after the first request of a route, only map lookups and additions (no allocation). */
  observeRequest (method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`
    const r = this.requests.get(key)
    if (r) r.value++
    else this.requests.set(key, { labels: { method, route, status: String(status) }, value: 1 })
    const dkey = `${method} ${route}`
    let d = this.durations.get(dkey)
    if (!d) {
      d = { labels: { method, route }, perBucket: new Array<number>(BUCKETS.length + 1).fill(0), sum: 0, count: 0 }
      this.durations.set(dkey, d)
    }
    d.sum += seconds
    d.count++
    let i = 0
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++
    d.perBucket[i]!++
  }

  /** Increments a named counter, e.g. `ledgerite_rate_limit_refusals_total`; its label names are those of its first use. */
  inc (name: string, help: string, labels: Record<string, string> = {}, by = 1): void {
    let c = this.counters.get(name)
    if (!c) {
      c = new Counter({ name, help, labelNames: Object.keys(labels), registers: [this.registry] })
      this.counters.set(name, c)
    }
    c.inc(labels, by)
  }

  /** A gauge read when scraped (e.g. webhook queue depth from the database); NaN when it cannot be known. */
  gauge (name: string, help: string, read: () => Promise<number>): void {
    new Gauge({ name, help, registers: [this.registry], async collect () { this.set(await read()) } })
  }

  /** The Prometheus text exposition content type of `render()`. */
  get contentType (): string {
    return this.registry.contentType
  }

  /** Ledgerite's metrics, then the process's. */
  async render (): Promise<string> {
    return Registry.merge([this.registry, processMetrics()]).metrics()
  }
}

function histogramSamples (name: string) {
  return ({ labels, perBucket, sum, count }: Durations): Sample[] => {
    const samples: Sample[] = []
    let cumulative = 0
    for (let i = 0; i < BUCKETS.length; i++) {
      cumulative += perBucket[i]!
      samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: String(BUCKETS[i]) }, value: cumulative })
    }
    samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count })
    samples.push({ metricName: `${name}_sum`, labels, value: sum })
    samples.push({ metricName: `${name}_count`, labels, value: count })
    return samples
  }
}

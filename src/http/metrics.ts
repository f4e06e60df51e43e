/**
 * Prometheus metrics, kept in process and rendered in the text exposition format at /metrics. Small on purpose:
 * counters and a fixed-bucket histogram are all Ledgerite needs, so no client library.
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

interface Histogram { buckets: number[], sum: number, count: number }

const labelText = (labels: Record<string, string>): string => {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
  return parts.length ? `{${parts.join(',')}}` : ''
}

export class Metrics {
  private readonly requests = new Map<string, { labels: Record<string, string>, value: number }>()
  private readonly durations = new Map<string, { labels: Record<string, string>, h: Histogram }>()
  private readonly counters = new Map<string, { help: string, values: Map<string, { labels: Record<string, string>, value: number }> }>()
  /** Gauges computed at scrape time (e.g. webhook queue depth from the database). */
  private readonly gauges: Array<{ name: string, help: string, read: () => Promise<number> }> = []

  /** Runs once per request: after the first request of a route, only a map lookup and additions (no allocation). */
  observeRequest (method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`
    const r = this.requests.get(key)
    if (r) r.value++
    else this.requests.set(key, { labels: { method, route, status: String(status) }, value: 1 })
    const dkey = `${method} ${route}`
    let d = this.durations.get(dkey)
    if (!d) {
      d = { labels: { method, route }, h: { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 } }
      this.durations.set(dkey, d)
    }
    d.h.sum += seconds
    d.h.count++
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) d.h.buckets[i]!++
  }

  /** Increments a named counter, e.g. `ledgerite_rate_limit_refusals_total`. */
  inc (name: string, help: string, labels: Record<string, string> = {}, by = 1): void {
    let c = this.counters.get(name)
    if (!c) {
      c = { help, values: new Map() }
      this.counters.set(name, c)
    }
    const key = labelText(labels)
    const v = c.values.get(key)
    if (v) v.value += by
    else c.values.set(key, { labels, value: by })
  }

  gauge (name: string, help: string, read: () => Promise<number>): void {
    this.gauges.push({ name, help, read })
  }

  async render (): Promise<string> {
    const out: string[] = []
    out.push('# HELP ledgerite_http_requests_total HTTP requests by method, route and status.', '# TYPE ledgerite_http_requests_total counter')
    for (const { labels, value } of this.requests.values()) out.push(`ledgerite_http_requests_total${labelText(labels)} ${value}`)
    out.push('# HELP ledgerite_http_request_duration_seconds HTTP request latency by method and route.', '# TYPE ledgerite_http_request_duration_seconds histogram')
    for (const { labels, h } of this.durations.values()) {
      for (let i = 0; i < BUCKETS.length; i++) {
        out.push(`ledgerite_http_request_duration_seconds_bucket${labelText({ ...labels, le: String(BUCKETS[i]) })} ${h.buckets[i]}`)
      }
      out.push(`ledgerite_http_request_duration_seconds_bucket${labelText({ ...labels, le: '+Inf' })} ${h.count}`)
      out.push(`ledgerite_http_request_duration_seconds_sum${labelText(labels)} ${h.sum}`)
      out.push(`ledgerite_http_request_duration_seconds_count${labelText(labels)} ${h.count}`)
    }
    for (const [name, c] of this.counters) {
      out.push(`# HELP ${name} ${c.help}`, `# TYPE ${name} counter`)
      for (const { labels, value } of c.values.values()) out.push(`${name}${labelText(labels)} ${value}`)
    }
    for (const g of this.gauges) {
      out.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`, `${g.name} ${await g.read()}`)
    }
    return `${out.join('\n')}\n`
  }
}

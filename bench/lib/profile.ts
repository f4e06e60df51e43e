import { readFileSync } from 'node:fs'
import { relative } from 'node:path'

/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and lists where the time went: self time per function (what the CPU
 * was executing) and inclusive time (the function and everything it called), so a missed target can be traced to
 * the code that costs it.
 */
interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  hitCount?: number
  children?: number[]
}
interface CpuProfile { nodes: ProfileNode[], startTime: number, endTime: number, samples?: number[], timeDeltas?: number[] }

export interface Frame { name: string, selfPct: number, totalPct: number }

function label (n: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = n.callFrame
  const file = url ? relative(root, url.replace(/^file:\/\//, '')) : ''
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`
}

/** The top frames of one profile, by self time and by inclusive time, as shares of the busy time. */
export function summarise (file: string, root: string, top = 25): { self: Frame[], inclusive: Frame[], totalMs: number } {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const byId = new Map(prof.nodes.map((n) => [n.id, n]))
  // Percentages of the time the process was busy: a server waiting for work (or for a CPU another process holds)
  // is idle, and counting that would dilute every figure.
  const totalHits = prof.nodes.reduce((s, n) => s + (n.callFrame.functionName === '(idle)' ? 0 : (n.hitCount ?? 0)), 0) || 1
  const idle = new Set(['(idle)', '(program)'])

  const self = new Map<string, number>()
  for (const n of prof.nodes) self.set(label(n, root), (self.get(label(n, root)) ?? 0) + (n.hitCount ?? 0))

  // Inclusive: hits of the node and its subtree, counted once per label per stack (recursion not double-counted).
  const inclusive = new Map<string, number>()
  const walk = (id: number, onStack: Set<string>): number => {
    const n = byId.get(id)!
    const l = label(n, root)
    let sum = n.hitCount ?? 0
    const fresh = !onStack.has(l)
    if (fresh) onStack.add(l)
    for (const c of n.children ?? []) sum += walk(c, onStack)
    if (fresh) {
      onStack.delete(l)
      inclusive.set(l, (inclusive.get(l) ?? 0) + sum)
    }
    return sum
  }
  walk(prof.nodes[0]!.id, new Set())

  const pct = (h: number) => Math.round((h / totalHits) * 1000) / 10
  const list = (m: Map<string, number>) => [...m.entries()]
    .filter(([name]) => !idle.has(name.split(' ')[0]!) && name !== '(root)')
    .sort((a, b) => b[1] - a[1]).slice(0, top)
  return {
    self: list(self).map(([name, h]) => ({ name, selfPct: pct(h), totalPct: pct(inclusive.get(name) ?? h) })),
    inclusive: list(inclusive).map(([name, h]) => ({ name, selfPct: pct(self.get(name) ?? 0), totalPct: pct(h) })),
    totalMs: (prof.endTime - prof.startTime) / 1000,
  }
}

/**
 * Where a frame's code comes from, so a profile says how much of the time is Ledgerite's own code and how much is the
 * engine, Node's HTTP stack, SQLite or a dependency. The statement calls into better-sqlite3 are made by the small
 * wrapper in src/storage/create-db.ts; V8 attributes the native SQLite work to that wrapper, so its self time is
 * counted as SQLite's, not Ledgerite's.
 */
export function originOf (n: { callFrame: { functionName: string, url: string } }, root: string): string {
  const { functionName, url } = n.callFrame
  if (functionName === '(garbage collector)') return 'V8 garbage collector'
  if (!url) return /^[a-z_ ]+$/i.test(functionName) ? 'Node/V8 native' : 'generated code (schema validators, serializers)'
  if (url.startsWith('node:')) return 'Node.js core (HTTP parser, streams, socket writes)'
  const file = relative(root, url.replace(/^file:\/\//, ''))
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)
  if (pkg) return pkg[1] === 'fastify' || pkg[1]!.startsWith('@fastify/') || ['find-my-way', 'avvio', 'light-my-request', 'secure-json-parse', 'fast-json-stringify', 'fast-querystring', 'abstract-logging', 'pino', 'toad-cache', 'process-warning', 'rfdc', 'fast-uri', 'ajv', 'fast-decode-uri-component'].includes(pkg[1]!)
    ? 'Fastify and its parts (router, hooks, ajv, pino)'
    : pkg[1] === 'kysely' ? 'Kysely (query building, driver, connection mutex)' : `dependency ${pkg[1]}`
  // The bench runs the built package (dist/); tests and the scripts run the sources.
  if (file === 'src/storage/create-db.ts' || file === 'dist/storage/create-db.js') return 'SQLite engine (statement calls through storage/create-db)'
  if (file.startsWith('src/') || file.startsWith('dist/')) return 'Ledgerite (src/, built to dist/)'
  return file.startsWith('bench/') ? 'bench hook' : 'other'
}

/** Self time per origin (originOf), as percentages of the busy time. */
export function byOrigin (file: string, root: string): Array<{ origin: string, pct: number }> {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile
  const idle = new Set(['(idle)', '(program)', '(root)'])
  const parent = new Map<number, ProfileNode>()
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n)
  const hits = new Map<string, number>()
  let total = 0
  for (const n of prof.nodes) {
    if (idle.has(n.callFrame.functionName)) continue
    const h = n.hitCount ?? 0
    total += h
    // A native frame called from another frame (better-sqlite3's `run`/`all` from the statement wrapper, a socket
    // write from Node's streams) belongs to its caller's origin.
    const caller = parent.get(n.id)
    const o = !n.callFrame.url && caller?.callFrame.url && n.callFrame.functionName !== '(garbage collector)' ? originOf(caller, root) : originOf(n, root)
    hits.set(o, (hits.get(o) ?? 0) + h)
  }
  return [...hits.entries()].sort((a, b) => b[1] - a[1]).map(([origin, h]) => ({ origin, pct: Math.round((h / (total || 1)) * 1000) / 10 }))
}

/** One measured line's profile: where its time went by origin, then its top self frames. */
export function printLineProfile (label: string, file: string, root: string, top = 12): void {
  const s = summarise(file, root, top)
  console.log(`\nCPU profile of "${label}" (${relative(root, file)}, ${Math.round(s.totalMs)} ms; shares of busy time)`)
  console.log('  by origin (self time):')
  for (const o of byOrigin(file, root)) if (o.pct >= 0.5) console.log(`    ${String(o.pct).padStart(5)}%  ${o.origin}`)
  console.log('  top self time:')
  for (const f of s.self) console.log(`    ${String(f.selfPct).padStart(5)}% self ${String(f.totalPct).padStart(5)}% incl  ${f.name}`)
}

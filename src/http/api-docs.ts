import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { escapeHtml } from './escape.ts'

/**
 * /docs: the API reference, "Ledgerite API", rendered on the server from the same OpenAPI document as
 * /openapi.json. One HTML page and one stylesheet, no script, so the page's strict CSP holds with nothing blocked;
 * both are gzipped when the browser accepts it and carry an ETag. (It replaces Swagger UI, whose bundle was 1.7 MB,
 * whose inline styles its own CSP blocked and whose markup axe faulted.)
 */
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

const DOCS_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1b1b1f;background:#fff}
a{color:#0b57d0}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem}
.skip:focus{left:1rem}
header{border-bottom:1px solid #d6d8de;background:#f4f5f7}
header .inner,main{max-width:60rem;margin:0 auto;padding:1rem}
h1{margin:0;font-size:1.6rem}
h2{font-size:1.3rem;margin:2rem 0 .75rem;border-bottom:1px solid #d6d8de;padding-bottom:.25rem}
h3{font-size:1.05rem;margin:0 0 .5rem;overflow-wrap:anywhere}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em}
pre{background:#f4f5f7;border-radius:6px;padding:.75rem;overflow:auto;max-height:28rem}
.muted{color:#4b4b55}
.toc ul{padding-left:1.25rem}
.toc li{margin:.2rem 0}
.op{border:1px solid #d6d8de;border-radius:8px;padding:1rem;margin:1rem 0}
.method{display:inline-block;min-width:4.2rem;text-align:center;font-weight:700;font-size:.85rem;border-radius:4px;padding:.1rem .4rem;margin-right:.5rem;color:#fff;background:#1b1b1f}
.m-get{background:#0b57d0}.m-post{background:#146c2e}.m-delete{background:#a4161a}.m-put,.m-patch{background:#6b3fa0}
.ext{display:inline-block;font-size:.8rem;border:1px solid #8a5a00;color:#6b4500;border-radius:999px;padding:0 .5rem;margin-left:.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{text-align:left;border-bottom:1px solid #d6d8de;padding:.35rem .5rem;vertical-align:top}
th{font-size:.9rem}
details{margin:.5rem 0}
summary{cursor:pointer;color:#0b57d0}
@media (max-width:40rem){table,thead,tbody,tr,th,td{display:block}thead{position:absolute;left:-9999px}td{border:0;padding:.1rem 0}tr{border-bottom:1px solid #d6d8de;padding:.4rem 0}}
`.trim()

interface Operation { summary?: string, description?: string, tags?: string[], parameters?: Array<{ name: string, in: string, required?: boolean, description?: string }>, requestBody?: { content?: Record<string, { schema?: unknown }> }, responses?: Record<string, { description?: string }>, 'x-ledgerite-extension'?: boolean }
interface Doc { info: { title: string, version: string, description?: string }, paths: Record<string, Record<string, Operation>> }

const paragraphs = (text: string | undefined) => (text ?? '').split(/\n{2,}/).map((p) => p.trim()).filter(Boolean)
  .map((p) => `<p>${escapeHtml(p).replace(/`([^`]+)`/g, '<code>$1</code>')}</p>`).join('')
const anchor = (method: string, path: string) => `${method}-${path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}`

export function renderDocs (doc: Doc): string {
  const ops: Array<{ method: string, path: string, op: Operation, tag: string }> = []
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method]
      if (op) ops.push({ method, path, op, tag: op.tags?.[0] ?? (op['x-ledgerite-extension'] ? 'Extensions' : 'Operations') })
    }
  }
  const tags = [...new Set(ops.map((o) => o.tag))]
  const toc = tags.map((tag) => `<li>${escapeHtml(tag)}<ul>${ops.filter((o) => o.tag === tag)
    .map((o) => `<li><a href="#${anchor(o.method, o.path)}"><code>${o.method.toUpperCase()} ${escapeHtml(o.path)}</code></a>${o.op.summary ? ` ${escapeHtml(o.op.summary)}` : ''}</li>`).join('')}</ul></li>`).join('')
  const section = (o: typeof ops[number]) => {
    const params = o.op.parameters ?? []
    const body = o.op.requestBody?.content ?? {}
    const responses = Object.entries(o.op.responses ?? {})
    return `<section class="op" id="${anchor(o.method, o.path)}" aria-labelledby="${anchor(o.method, o.path)}-h">
<h3 id="${anchor(o.method, o.path)}-h"><span class="method m-${o.method}">${o.method.toUpperCase()}</span><code>${escapeHtml(o.path)}</code>${o.op['x-ledgerite-extension'] ? '<span class="ext">Ledgerite extension</span>' : ''}</h3>
${o.op.summary ? `<p><strong>${escapeHtml(o.op.summary)}</strong></p>` : ''}${paragraphs(o.op.description)}
${params.length ? `<table><caption class="muted">Parameters</caption><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Required</th><th scope="col">Description</th></tr></thead><tbody>${params.map((p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${escapeHtml(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td>${escapeHtml(p.description ?? '')}</td></tr>`).join('')}</tbody></table>` : ''}
${Object.entries(body).map(([type, c]) => `<details><summary>Request body: <code>${escapeHtml(type)}</code></summary><pre tabindex="0">${escapeHtml(JSON.stringify(c.schema ?? {}, null, 2))}</pre></details>`).join('')}
${responses.length ? `<table><caption class="muted">Responses</caption><thead><tr><th scope="col">Status</th><th scope="col">Description</th></tr></thead><tbody>${responses.map(([status, r]) => `<tr><td><code>${escapeHtml(status)}</code></td><td>${escapeHtml(r.description ?? '')}</td></tr>`).join('')}</tbody></table>` : ''}
</section>`
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ledgerite API ${escapeHtml(doc.info.version)} reference</title>
<link rel="stylesheet" href="/docs/assets/docs.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><div class="inner"><h1>Ledgerite API</h1><p class="muted">${escapeHtml(doc.info.title)} · version ${escapeHtml(doc.info.version)} · <a href="/openapi.json">openapi.json</a> · <a href="/">Home</a></p></div></header>
<main id="main" tabindex="-1">
${paragraphs(doc.info.description)}
<nav class="toc" aria-label="Operations"><h2>Operations</h2><ul>${toc}</ul></nav>
${tags.map((tag) => `<h2>${escapeHtml(tag)}</h2>${ops.filter((o) => o.tag === tag).map(section).join('\n')}`).join('\n')}
</main>
</body>
</html>`
}

interface Asset { type: string, body: Buffer, gzip: Buffer, etag: string }
const asset = (type: string, text: string): Asset => {
  const body = Buffer.from(text)
  return { type, body, gzip: gzipSync(body), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }
}

function send (request: FastifyRequest, reply: FastifyReply, a: Asset, cacheControl: string) {
  reply.header('Content-Security-Policy', CSP).header('X-Content-Type-Options', 'nosniff').header('Cache-Control', cacheControl)
    .header('ETag', a.etag).header('Vary', 'Accept-Encoding').type(a.type)
  if (request.headers['if-none-match'] === a.etag) return reply.code(304).send()
  if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('Content-Encoding', 'gzip').send(a.gzip)
  return reply.send(a.body)
}

export async function registerApiDocs (app: FastifyInstance, getDocument: () => unknown): Promise<void> {
  const css = asset('text/css; charset=utf-8', DOCS_CSS)
  let page: Asset | undefined
  const hidden = { schema: { hide: true } }
  app.get('/docs', hidden, async (request, reply) => {
    page ??= asset('text/html; charset=utf-8', renderDocs(getDocument() as Doc))
    return send(request, reply, page, 'public, max-age=300')
  })
  app.get('/docs/assets/docs.css', hidden, async (request, reply) => send(request, reply, css, 'public, max-age=86400'))
}

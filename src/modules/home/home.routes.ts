import type { FastifyInstance } from 'fastify'
import type { Deps } from '../../deps.ts'
import { browserSurface } from '../../http/browser-security.ts'
import { renderHomePage } from './home.page.ts'

/** The page's only resource is the hosted pages' stylesheet; nothing else may load, run, frame it or submit from it. */
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

/** What the hosted pages' stylesheet does not cover: long commands wrap (to be read whole), the users table has rules. */
const HOME_CSS = `pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f5f7;border:1px solid #d6d8de;border-radius:8px;padding:.75rem;font-size:.85rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{text-align:left;vertical-align:top;padding:.4rem .5rem;border-bottom:1px solid #d6d8de}
ol,ul{padding-left:1.25rem}li{margin:.35rem 0}`

/** `GET /`: the front door (a page, not an API resource: hidden from /openapi.json). */
export async function homeRoutes (app: FastifyInstance, deps: Deps): Promise<void> {
  const html = renderHomePage({ publicUrl: deps.config.publicUrl, sandboxControl: deps.config.sandboxControl })
  // The page has no form and sets no cookie: the layer gives it the same headers as every other page.
  browserSurface(app, { key: deps.secret, name: 'home', publicUrl: deps.config.publicUrl, csp: CSP, referrerPolicy: 'no-referrer', sameSite: 'Lax', htmlOnly: true })
  app.get('/assets/home.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('Cache-Control', 'public, max-age=3600').send(HOME_CSS))
  app.get('/', { schema: { hide: true }, config: { html: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(html))
}

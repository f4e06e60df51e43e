import { escapeHtml } from './escape.ts'

/** The plain error page for browser-facing routes (hosted pages, model bank, Console): no stack, trace id shown. */
export function htmlErrorPage (status: number, title: string, detail: string, traceId: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}h1{font-size:1.5rem}.trace{color:#555;font-size:.85rem}</style></head>
<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p><p class="trace">Error ${status} · trace id <code>${escapeHtml(traceId)}</code></p></main></body></html>`
}

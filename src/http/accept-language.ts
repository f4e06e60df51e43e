// Shared by every HTML surface that picks a language from the browser (the hosted pages and the model bank's).

/** Language tags of an Accept-Language header, best first (RFC 9110 §12.5.4; q=0 means "not this one"). */
export function parseAcceptLanguage (header: string | undefined): string[] {
  if (!header) return []
  const tags: Array<{ tag: string, q: number, i: number }> = []
  header.split(',').slice(0, 32).forEach((part, i) => {
    const [rawTag, ...params] = part.trim().split(';')
    const tag = rawTag?.trim().toLowerCase() ?? ''
    if (!/^[a-z]{1,8}(-[a-z0-9]{1,8})*$/.test(tag)) return
    let q = 1
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](\.\d{0,3})?)\s*$/.exec(p)
      if (m) q = Number(m[1])
    }
    if (q > 0) tags.push({ tag, q, i })
  })
  return tags.sort((a, b) => b.q - a.q || a.i - b.i).map((t) => t.tag)
}

import { escapeHtml } from '../../http/escape.ts'
import { PROVIDERS, type Provider } from '../providers/provider.catalog.ts'
import { contrast, darkenForWhite } from './branding.ts'

/**
 * Each provider's mark on the hosted pages: a short label and a colour, computed from the catalogue at start.
 *
 * - The label is unique within the provider's country (Monzo and Mock, Barclays and Barclaycard, NatWest and
 *   Nationwide would all be two-letter initials alike): tried in order, the name's own capitals (NatWest → NW),
 *   the initials of its words (Bank of Scotland → BS), its first letter with each later consonant
 *   (Barclaycard → BR, BC, …), then with any later letter; the first one no provider before it in that country
 *   holds is taken. Providers are taken in catalogue order, so a mark does not change when one is added later.
 * - The colour is the catalogue's brand colour, unless an earlier provider of the same country already has the
 *   same one, or one that cannot be told from it (RBS and Ulster share #0A2F64): then it is made lighter or
 *   darker, a step at a time, until it differs.
 * - The ink (label colour) is white or near-black, whichever contrasts more with the tile.
 */
export interface ProviderMark { label: string, colour: string, ink: string }

const STOP_WORDS = new Set(['of', 'the', 'and', 'de', 'la', 'le', 'du', 'des', 'di', 'del', 'der', 'van', 'uk', 'bank', 'banca', 'banco', 'banque'])
const letters = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').replace(/[^\p{L}\p{N}]/gu, '')

function labelCandidates (name: string): string[] {
  const out: string[] = []
  const words = name.split(/[\s\-&./]+/).map(letters).filter(Boolean)
  const capitals = [...name.normalize('NFD')].filter((c) => /\p{Lu}/u.test(c))
  if (capitals.length >= 2) out.push(capitals[0]! + capitals[1]!)
  const significant = words.filter((w) => !STOP_WORDS.has(w.toLowerCase()))
  const pool = significant.length >= 2 ? significant : words
  if (pool.length >= 2) out.push(pool[0]![0]! + pool[1]![0]!)
  const flat = letters(significant.join('') || words.join(''))
  const first = flat[0] ?? '?'
  for (const c of flat.slice(1)) if (/[^aeiou\d]/i.test(c)) out.push(first + c)
  for (const c of flat.slice(1)) out.push(first + c)
  for (const c of '23456789') out.push(first + c)
  return out.map((l) => l.toUpperCase())
}

const hex = (rgb: number[]) => `#${rgb.map((c) => Math.max(0, Math.min(255, Math.round(c))).toString(16).padStart(2, '0')).join('')}`
const rgbOf = (h: string) => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16))
/** Colours closer than this (Euclidean, in RGB) read as the same tile at 40 px; further ones keep the brand's. */
const TOO_CLOSE = 20
const distance = (a: string, b: string) => Math.hypot(...rgbOf(a).map((c, i) => c - rgbOf(b)[i]!))

/** A tile whose label can be read: white or near-black on it reaches 4.5:1. */
const readable = (c: string) => Math.max(contrast(c, '#ffffff'), contrast(c, '#111111')) >= 4.5

function distinctColour (wanted: string, taken: string[]): string {
  const free = (c: string) => readable(c) && taken.every((t) => distance(t, c) >= TOO_CLOSE)
  if (free(wanted)) return wanted
  const base = rgbOf(wanted)
  // Toward white and toward black in turn, further each time: keeps the brand's hue.
  for (let step = 1; step <= 8; step++) {
    for (const toward of [255, 0]) {
      const c = hex(base.map((v) => v + (toward - v) * 0.12 * step))
      if (free(c)) return c
    }
  }
  return darkenForWhite(wanted)
}

export const inkFor = (bg: string): string => (contrast(bg, '#ffffff') >= contrast(bg, '#111111') ? '#ffffff' : '#111111')

export function computeMarks (providers: readonly Provider[]): Map<string, ProviderMark> {
  const marks = new Map<string, ProviderMark>()
  const byCountry = new Map<string, { labels: Set<string>, colours: string[] }>()
  for (const p of providers) {
    let seen = byCountry.get(p.country)
    if (!seen) byCountry.set(p.country, seen = { labels: new Set(), colours: [] })
    // A catalogue entry may lack a name (the source did not give one): its id stands in.
    const label = labelCandidates(p.display_name || p.provider_id).find((l) => !seen.labels.has(l)) ?? p.provider_id.slice(0, 3).toUpperCase()
    seen.labels.add(label)
    const brand = /^#[0-9a-f]{6}$/i.test(p.bg_color ?? '') ? p.bg_color.toLowerCase() : '#4b4b55'
    const colour = distinctColour(brand, seen.colours)
    seen.colours.push(colour)
    marks.set(p.provider_id, { label, colour, ink: inkFor(colour) })
  }
  return marks
}

const MARKS = computeMarks(PROVIDERS)

export function markOf (p: Provider): ProviderMark {
  return MARKS.get(p.provider_id) ?? { label: '?', colour: '#4b4b55', ink: '#ffffff' }
}

const tile = (m: ProviderMark) =>
  `<rect width="80" height="80" rx="16" fill="${m.colour}"/>` +
  `<text x="40" y="40" dy=".35em" text-anchor="middle" font-family="system-ui,-apple-system,Segoe UI,Roboto,sans-serif" font-size="${m.label.length > 2 ? 24 : 30}" font-weight="700" fill="${m.ink}">${escapeHtml(m.label)}</text>`

/** A standalone SVG file of the mark (the consent page's bank heading, the model bank). */
export function markSvg (p: Provider): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80" viewBox="0 0 80 80" role="img" aria-label="${escapeHtml(p.display_name || p.provider_id)}">${tile(markOf(p))}</svg>`
}

export const symbolId = (id: string) => `pm-${id.replace(/[^a-z0-9-]/gi, '_')}`

/** One inline sprite holding the marks of the providers on a page, so the picker loads no logo file at all. */
export function markSprite (providers: readonly Provider[]): string {
  const symbols = providers.map((p) => `<symbol id="${symbolId(p.provider_id)}" viewBox="0 0 80 80">${tile(markOf(p))}</symbol>`).join('')
  return `<svg xmlns="http://www.w3.org/2000/svg" class="sprite" aria-hidden="true" focusable="false">${symbols}</svg>`
}

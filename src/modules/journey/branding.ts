import { createHash } from 'node:crypto'
import type { BrandingChange, Logo, LogoType } from '../auth/client-branding.repository.ts'

// The stored shape of branding is the client registry's (auth, which owns the table); named here too for the
// journey's pages and the checks' callers.
export { type BrandingChange, LOGO_EXTENSION, type Logo, type LogoType } from '../auth/client-branding.repository.ts'

/**
 * A client's branding for its hosted pages, and the checks on it. One set of rules for the CLI and the Console:
 * each check answers a sentence naming the field and the rule (or undefined when the value is acceptable).
 *
 * - display name: what the pages call the client ("Share your data with Acme Budget"), 1–80 characters;
 * - accent colour: `#rrggbb`, used behind white button text, so it must give that text ≥ 4.5:1 (WCAG AA);
 * - privacy-policy URL: an absolute https URL (http only for a loopback host), shown on the consent page;
 * - logo: PNG, JPEG or WebP, recognised by its first bytes (never by a name or a declared type), at most
 *   256 KiB. SVG is refused: it is a document that can carry script and remote references, and a raster logo
 *   needs no sanitiser.
 */
export const MAX_DISPLAY_NAME = 80
export const MAX_LOGO_BYTES = 256 * 1024
export const MIN_CONTRAST = 4.5

export function checkDisplayName (name: string): string | undefined {
  const n = name.trim()
  if (n === '') return 'display_name must not be empty (clear it instead to use the client name)'
  if ([...n].length > MAX_DISPLAY_NAME) return `display_name must be at most ${MAX_DISPLAY_NAME} characters`
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(n)) return 'display_name must not contain control characters or line breaks'
  return undefined
}

/** `#abc` or `#aabbcc` (any case) → `#aabbcc`; undefined when it is not a hex colour. */
export function normaliseColour (value: string): string | undefined {
  const v = value.trim().toLowerCase()
  if (/^#[0-9a-f]{6}$/.test(v)) return v
  if (/^#[0-9a-f]{3}$/.test(v)) return `#${[...v.slice(1)].map((c) => c + c).join('')}`
  return undefined
}

const channel = (hex: string, i: number): number => {
  const c = Number.parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
}
/** WCAG relative luminance of `#rrggbb`. */
export const luminance = (hex: string): number => 0.2126 * channel(hex, 0) + 0.7152 * channel(hex, 1) + 0.0722 * channel(hex, 2)
/** WCAG contrast ratio of two `#rrggbb` colours (1–21). */
export function contrast (a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (hi + 0.05) / (lo + 0.05)
}

/** The colour darkened step by step until white text on it reaches AA: the hint a refusal gives. */
export function darkenForWhite (hex: string): string {
  let [r, g, b] = [0, 1, 2].map((i) => Number.parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16)) as [number, number, number]
  const toHex = () => `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`
  while (contrast(toHex(), '#ffffff') < MIN_CONTRAST) { r *= 0.95; g *= 0.95; b *= 0.95 }
  return toHex()
}

/** The accent colour, normalised, or the sentence saying why it cannot be used. */
export function checkAccentColour (value: string): { colour: string } | { problem: string } {
  const colour = normaliseColour(value)
  if (!colour) return { problem: 'accent_color must be a hex colour like #0b57d0' }
  const ratio = contrast(colour, '#ffffff')
  if (ratio < MIN_CONTRAST) {
    return {
      problem: `accent_color ${colour} gives white button text a contrast of ${ratio.toFixed(2)}:1, below the ${MIN_CONTRAST}:1 WCAG AA needs; ` +
        `a darker shade such as ${darkenForWhite(colour)} passes`,
    }
  }
  return { colour }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])
export function checkPrivacyUrl (value: string): string | undefined {
  if (value.length > 2048) return 'privacy_url must be at most 2048 characters'
  let u: URL
  try { u = new URL(value) } catch { return 'privacy_url must be an absolute URL (for example https://your-app.com/privacy)' }
  if (u.protocol === 'https:') return undefined
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return undefined
  return 'privacy_url must be an https URL (http is accepted only for localhost)'
}

/** The image type its first bytes say, or undefined. */
export function sniffImage (bytes: Uint8Array): LogoType | undefined {
  const starts = (sig: number[], at = 0) => sig.every((v, i) => bytes[at + i] === v)
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  return undefined
}

export function checkLogo (bytes: Uint8Array): { logo: Logo } | { problem: string } {
  if (bytes.length === 0) return { problem: 'logo is empty' }
  if (bytes.length > MAX_LOGO_BYTES) return { problem: `logo must be at most ${MAX_LOGO_BYTES / 1024} KiB (this one is ${Math.ceil(bytes.length / 1024)} KiB)` }
  const type = sniffImage(bytes)
  if (!type) {
    const head = Buffer.from(bytes.subarray(0, 512)).toString('utf8').trimStart().toLowerCase()
    if (head.startsWith('<svg') || head.startsWith('<?xml') || head.includes('<svg')) {
      return { problem: 'logo must be PNG, JPEG or WebP: SVG is not accepted, as it can carry script (export it as a PNG)' }
    }
    return { problem: 'logo must be a PNG, JPEG or WebP image (its first bytes are none of these)' }
  }
  const buf = Buffer.from(bytes)
  return { logo: { type, base64: buf.toString('base64'), sha256: createHash('sha256').update(buf).digest('hex') } }
}

/**
 * The text fields as a form or the command line gives them: undefined leaves a field, an empty value clears it,
 * anything else is checked. Answers the change and every problem found (none → the change may be saved).
 */
export function brandingChangeFrom (input: { displayName?: string, accentColor?: string, privacyUrl?: string }): { change: BrandingChange, problems: string[] } {
  const change: BrandingChange = {}
  const problems: string[] = []
  const blank = (v: string) => v.trim() === ''
  if (input.displayName !== undefined) {
    if (blank(input.displayName)) change.displayName = null
    else {
      const p = checkDisplayName(input.displayName)
      if (p) problems.push(p)
      else change.displayName = input.displayName.trim()
    }
  }
  if (input.accentColor !== undefined) {
    if (blank(input.accentColor)) change.accentColor = null
    else {
      const r = checkAccentColour(input.accentColor)
      if ('problem' in r) problems.push(r.problem)
      else change.accentColor = r.colour
    }
  }
  if (input.privacyUrl !== undefined) {
    if (blank(input.privacyUrl)) change.privacyUrl = null
    else {
      const p = checkPrivacyUrl(input.privacyUrl.trim())
      if (p) problems.push(p)
      else change.privacyUrl = input.privacyUrl.trim()
    }
  }
  return { change, problems }
}

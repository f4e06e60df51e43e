import QRCode from 'qrcode'
import type { Kysely } from 'kysely'
import type { Database } from '../../storage/database.ts'
import { signLink } from './journey-links.ts'
import { type JourneySession, updateSession } from './journey-session.repository.ts'

/**
 * Desktop → mobile hand-off (UK Open Banking customer-experience guideline): on a desktop browser the page
 * before the bank shows a QR code for a one-time link. The link is a signed 'handoff' link whose expiry is
 * stored on the session, so only the newest link works, and a used-marker (claimHandoff) makes it single use.
 */
export const HANDOFF_TTL_MINUTES = 15

/** Phones and tablets: "Mobi" is what MDN recommends; Android tablets and iPads say Android / iPad. */
export function isMobileBrowser (userAgent: string | undefined): boolean {
  return /Mobi|Android|iPhone|iPad|iPod/i.test(userAgent ?? '')
}

/** The hand-off link's expiry as stored: whole seconds, because signed links carry seconds. */
const wholeSeconds = (d: Date): string => new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString()

/**
 * The current hand-off expiry for this session, making a new link when there is none or the last one is
 * about to expire (less than a minute left) and no phone has opened it.
 */
export async function ensureHandoff (db: Kysely<Database>, session: JourneySession, now: Date): Promise<Date> {
  const current = session.handoff_expires_at ? new Date(session.handoff_expires_at) : undefined
  if (current && (session.handoff_opened_at || current.getTime() - now.getTime() > 60_000)) return current
  const expires = wholeSeconds(new Date(now.getTime() + HANDOFF_TTL_MINUTES * 60_000))
  await updateSession(db, session.connection_id, { handoff_expires_at: expires, handoff_opened_at: null, mobile_token_hash: null }, now)
  return new Date(expires)
}

export function handoffUri (publicUrl: string, secret: Buffer, connectionId: string, expiresAt: Date): string {
  return `${publicUrl}/data/${encodeURIComponent(connectionId)}/handoff?h=${signLink(secret, 'handoff', connectionId, expiresAt)}`
}

/** The expiry a signed link carries (its first part), or undefined when it has none. */
export function linkExpiry (link: string): Date | undefined {
  const exp = link.split('.')[0]
  if (!exp || !/^[0-9a-z]{1,12}$/.test(exp)) return undefined
  return new Date(Number.parseInt(exp, 36) * 1000)
}

/** The QR code as an SVG data: URI (CSP allows `img-src data:`; no markup of ours is built from it). */
export async function qrDataUri (text: string): Promise<string> {
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2, color: { dark: '#000000', light: '#ffffff' } })
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`
}

import type { Kysely } from 'kysely'
import type { Database } from '../../storage/database.ts'

/*
 * A client's branding (table client_branding): part of the client registry, like its name and redirect URIs, so
 * auth owns the table and every module that shows a client's branding (the hosted pages, the Console, the bank
 * handoff) reads it here. The checks on a value a client submits are the journey's (journey/branding.ts).
 */

export type LogoType = 'image/png' | 'image/jpeg' | 'image/webp'
export const LOGO_EXTENSION: Record<LogoType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/webp': 'webp' }

export interface Logo { type: LogoType, base64: string, sha256: string }

/** Changes of a client's branding: a value sets the field, null clears it, undefined leaves it. */
export interface BrandingChange {
  displayName?: string | null
  accentColor?: string | null
  privacyUrl?: string | null
  logo?: Logo | null
}

/** A client's branding as the pages use it; every field may be absent (Ledgerite's defaults then). */
export interface Branding {
  displayName: string | null
  accentColor: string | null
  privacyUrl: string | null
  /** Where the logo is served (same origin, named by its hash so it can be cached for good). */
  logoPath: string | null
}

export const NO_BRANDING: Branding = { displayName: null, accentColor: null, privacyUrl: null, logoPath: null }

export const logoPath = (sha256: string, type: LogoType): string => `/data/assets/logos/${sha256}.${LOGO_EXTENSION[type]}`

export async function findBranding (db: Kysely<Database>, clientId: string): Promise<Branding> {
  const row = await db.selectFrom('client_branding')
    .select(['display_name', 'accent_color', 'privacy_url', 'logo_type', 'logo_sha256'])
    .where('client_id', '=', clientId).executeTakeFirst()
  if (!row) return NO_BRANDING
  return {
    displayName: row.display_name,
    accentColor: row.accent_color,
    privacyUrl: row.privacy_url,
    logoPath: row.logo_sha256 && row.logo_type ? logoPath(row.logo_sha256, row.logo_type as LogoType) : null,
  }
}

/** The client's display name alone, or null (what a bank is told to call the client). */
export async function findDisplayName (db: Kysely<Database>, clientId: string): Promise<string | null> {
  const row = await db.selectFrom('client_branding').select('display_name').where('client_id', '=', clientId).executeTakeFirst()
  return row?.display_name ?? null
}

/** A stored logo by its hash (the served URL names it), or undefined. */
export async function findLogo (db: Kysely<Database>, sha256: string): Promise<{ type: LogoType, bytes: Buffer } | undefined> {
  const row = await db.selectFrom('client_branding').select(['logo_type', 'logo_base64'])
    .where('logo_sha256', '=', sha256).executeTakeFirst()
  if (!row?.logo_type || !row.logo_base64) return undefined
  return { type: row.logo_type as LogoType, bytes: Buffer.from(row.logo_base64, 'base64') }
}

export async function saveBranding (db: Kysely<Database>, clientId: string, change: BrandingChange, now: Date): Promise<Branding> {
  const set: Record<string, string | null> = {}
  if (change.displayName !== undefined) set.display_name = change.displayName === null ? null : change.displayName.trim()
  if (change.accentColor !== undefined) set.accent_color = change.accentColor
  if (change.privacyUrl !== undefined) set.privacy_url = change.privacyUrl
  if (change.logo !== undefined) {
    set.logo_type = change.logo?.type ?? null
    set.logo_base64 = change.logo?.base64 ?? null
    set.logo_sha256 = change.logo?.sha256 ?? null
  }
  const updatedAt = now.toISOString()
  await db.insertInto('client_branding')
    .values({
      client_id: clientId, display_name: null, accent_color: null, privacy_url: null, logo_type: null, logo_base64: null, logo_sha256: null,
      ...set, updated_at: updatedAt,
    })
    .onConflict((oc) => oc.column('client_id').doUpdateSet({ ...set, updated_at: updatedAt }))
    .execute()
  return findBranding(db, clientId)
}

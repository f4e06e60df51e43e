import type { FastifyInstance, FastifyReply, FastifyRequest, preValidationHookHandler } from 'fastify'
import { ApiError } from '../../contract/errors.ts'
import type { Deps } from '../../deps.ts'
import { brandingChangeFrom, checkLogo, MAX_DISPLAY_NAME, MAX_LOGO_BYTES, MIN_CONTRAST } from '../journey/branding.ts'
import { findBranding, saveBranding } from '../auth/client-branding.repository.ts'
import { parseMultipart } from './console.multipart.ts'

/**
 * Settings → Branding: what the client's users see on the hosted pages (display name, logo, accent colour,
 * privacy-policy link). The same checks as `ledgerite clients update` (journey/branding.ts); a refusal re-shows
 * the form with what was typed and the sentence naming the field and rule.
 */
const FIELDS = new Set(['csrf_token', 'display_name', 'accent_color', 'privacy_url', 'remove_logo'])
/** What the multipart parser below hands the branding form's handler: only FIELDS, and the logo file. */
interface BrandingForm { display_name?: string, accent_color?: string, privacy_url?: string, remove_logo?: string, logo?: { bytes: Buffer } }

export interface BrandingPageKit {
  signedIn: { preHandler: (request: FastifyRequest, reply: FastifyReply) => Promise<void>, config: { html: true } }
  /** Session then CSRF, as every Console form. */
  checks: preValidationHookHandler[]
  sendPage: (request: FastifyRequest, reply: FastifyReply, status: number, data: Record<string, unknown>) => unknown
}

export async function brandingRoutes (app: FastifyInstance, deps: Deps, kit: BrandingPageKit): Promise<void> {
  const limits = { maxDisplayName: MAX_DISPLAY_NAME, maxLogoKiB: MAX_LOGO_BYTES / 1024, minContrast: MIN_CONTRAST }
  const show = async (request: FastifyRequest, reply: FastifyReply, status: number, data: Record<string, unknown> = {}) =>
    kit.sendPage(request, reply, status, { branding: await findBranding(deps.db, request.console!.client.id), limits, ...data })

  app.get<{ Querystring: { notice?: string } }>('/settings/branding', kit.signedIn, async (request, reply) => {
    const saved = request.query.notice === 'saved'
    return show(request, reply, 200, saved ? { notice: 'Branding saved: your hosted pages show it from now on.' } : {})
  })

  // Multipart only here (a file input); the form parser is scoped to this plugin.
  await app.register(async (scope) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: MAX_LOGO_BYTES + 64 * 1024 }, (request, body, done) => {
      const form = parseMultipart(String(request.headers['content-type']), body as Buffer)
      if (!form) return done(new ApiError('INVALID_PARAMETERS', 'The form could not be read (multipart/form-data with named parts expected).'), undefined)
      const unknown = Object.keys(form.fields).find((k) => !FIELDS.has(k)) ?? Object.keys(form.files).find((k) => k !== 'logo')
      if (unknown) return done(new ApiError('INVALID_PARAMETERS', `The form has a field it should not: ${unknown}.`), undefined)
      done(null, { ...form.fields, logo: form.files.logo })
    })
    // Typed by the parser above, not by a schema: a refusal re-shows this form rather than the Console's error page.
    scope.post<{ Body: BrandingForm | undefined }>('/settings/branding', { config: { html: true }, preValidation: kit.checks }, async (request, reply) => {
      const body = request.body ?? {}
      if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError('INVALID_PARAMETERS', 'The form could not be read.')
      const { change, problems } = brandingChangeFrom({
        displayName: body.display_name ?? '', accentColor: body.accent_color ?? '', privacyUrl: body.privacy_url ?? '',
      })
      if (body.logo) {
        const checked = checkLogo(body.logo.bytes)
        if ('problem' in checked) problems.push(checked.problem)
        else change.logo = checked.logo
      } else if (body.remove_logo === 'yes') change.logo = null
      if (problems.length > 0) {
        return show(request, reply, 400, { errors: problems, input: { displayName: body.display_name, accentColor: body.accent_color, privacyUrl: body.privacy_url } })
      }
      await saveBranding(deps.db, request.console!.client.id, change, deps.clock.realNow())
      return reply.redirect('/console/settings/branding?notice=saved', 303)
    })
  })
}

import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { brandingChangeFrom, checkAccentColour, checkLogo, contrast } from '../../src/modules/journey/branding.ts'
import { saveBranding } from '../../src/modules/auth/client-branding.repository.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { Browserish, CONFIG, createHosted, csrfOf } from './journey-helpers.ts'
import { tinyPng } from './tiny-png.ts'

describe('branding: the checks', () => {
  test('an accent colour too light for white text is refused with a darker shade that passes', () => {
    const r = checkAccentColour('#7fb3ff')
    assert.ok('problem' in r)
    assert.match(r.problem, /accent_color #7fb3ff gives white button text a contrast of 2\.14:1, below the 4\.5:1 WCAG AA needs/)
    const hint = /such as (#[0-9a-f]{6}) passes/.exec(r.problem)![1]!
    assert.ok(contrast(hint, '#ffffff') >= 4.5)
    const ok = checkAccentColour(hint)
    assert.deepEqual(ok, { colour: hint })
    assert.deepEqual(checkAccentColour('#0B5'), checkAccentColour('#00bb55'), 'the short form is expanded, then checked')
    assert.ok('problem' in checkAccentColour('blue'))
    assert.deepEqual(checkAccentColour('#1A3D8F'), { colour: '#1a3d8f' })
  })

  test('logos: PNG, JPEG and WebP by their bytes; SVG, other files, empty and oversized ones refused', () => {
    const png = checkLogo(tinyPng())
    assert.ok('logo' in png && png.logo.type === 'image/png')
    assert.ok('logo' in checkLogo(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])))
    const webp = checkLogo(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]))
    assert.ok('logo' in webp && webp.logo.type === 'image/webp')
    const svg = checkLogo(Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))
    assert.ok('problem' in svg)
    assert.match(svg.problem, /SVG is not accepted/)
    assert.match((checkLogo(Buffer.from('GIF89a....')) as { problem: string }).problem, /must be a PNG, JPEG or WebP image/)
    assert.match((checkLogo(Buffer.alloc(0)) as { problem: string }).problem, /empty/)
    const big = Buffer.concat([tinyPng(), Buffer.alloc(300 * 1024)])
    assert.match((checkLogo(big) as { problem: string }).problem, /at most 256 KiB/)
  })

  test('text fields: an empty value clears, bad ones are named with their rule', () => {
    assert.deepEqual(brandingChangeFrom({ displayName: '  ', accentColor: '', privacyUrl: '' }).change, { displayName: null, accentColor: null, privacyUrl: null })
    const { problems } = brandingChangeFrom({ displayName: 'x'.repeat(81), privacyUrl: 'http://example.com/privacy', accentColor: '#ffff00' })
    assert.equal(problems.length, 3)
    assert.match(problems[0]!, /^display_name must be at most 80 characters/)
    assert.match(problems[1]!, /^accent_color /)
    assert.match(problems[2]!, /^privacy_url must be an https URL/)
    assert.deepEqual(brandingChangeFrom({ displayName: 'Acme\nBank' }).problems, ['display_name must not contain control characters or line breaks'])
  })
})

describe('branding: on the hosted pages', () => {
  test('display name, logo, accent colour and privacy policy appear on the pages; the logo is served from this origin', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client({ name: 'my-app' })
    const png = tinyPng()
    const logo = checkLogo(png)
    assert.ok('logo' in logo)
    await saveBranding(app.deps.db, client.id, { displayName: 'Acme Budget', accentColor: '#1a3d8f', privacyUrl: 'https://acme.example/privacy', logo: logo.logo }, new Date())
    const hosted = await createHosted(app, client, CONFIG[1])
    const browser = new Browserish(app)
    const picker = await browser.get(hosted.path)
    assert.match(picker.body, /<span class="brand-name">Acme Budget<\/span>/)
    assert.match(picker.body, /Acme Budget uses Ledgerite to connect to your bank/)
    assert.doesNotMatch(picker.body, /my-app/)
    const logoSrc = /<img src="(\/data\/assets\/logos\/[0-9a-f]{64}\.png)"/.exec(picker.body)![1]!
    assert.match(picker.body, /<link rel="stylesheet" href="\/data\/assets\/accent\/1a3d8f\.css">/)

    const served = await app.inject({ method: 'GET', url: logoSrc })
    assert.equal(served.statusCode, 200)
    assert.equal(served.headers['content-type'], 'image/png')
    assert.equal(served.headers['x-content-type-options'], 'nosniff')
    assert.equal(served.headers['cache-control'], 'public, max-age=31536000, immutable')
    assert.deepEqual(served.rawPayload, png)
    // the same hash with another extension, or an unknown hash: not found
    assert.equal((await app.inject({ method: 'GET', url: logoSrc.replace('.png', '.jpg') })).statusCode, 404)
    assert.equal((await app.inject({ method: 'GET', url: `/data/assets/logos/${'0'.repeat(64)}.png` })).statusCode, 404)

    const css = await app.inject({ method: 'GET', url: '/data/assets/accent/1a3d8f.css' })
    assert.equal(css.statusCode, 200)
    assert.match(css.body, /\.btn\{background:#1a3d8f;border-color:#1a3d8f\}/)
    // a colour that fails the contrast check has no stylesheet, even asked for by hand
    assert.equal((await app.inject({ method: 'GET', url: '/data/assets/accent/ffff00.css' })).statusCode, 404)

    await browser.post(`/data/${hosted.id}/provider`, { token: hosted.token, _csrf: csrfOf(picker.body), provider_id: 'ob-monzo' })
    const consent = await browser.get(hosted.path)
    assert.match(consent.body, /<h1>Share your data with Acme Budget<\/h1>/)
    assert.match(consent.body, /<a href="https:\/\/acme\.example\/privacy" target="_blank" rel="noopener noreferrer" id="privacy-policy">Read Acme Budget’s privacy policy/)
    assert.match(consent.body, /<title>Share your data with Acme Budget · Acme Budget<\/title>/)
  })

  test('without branding the pages name the client and show Ledgerite; names are escaped', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client({ name: 'plain-client' })
    await saveBranding(app.deps.db, client.id, { displayName: '<b>Bold & Co</b>' }, new Date())
    const hosted = await createHosted(app, client, CONFIG[1])
    const page = await new Browserish(app).get(hosted.path)
    assert.match(page.body, /&lt;b&gt;Bold &amp; Co&lt;\/b&gt;/)
    assert.doesNotMatch(page.body, /<b>Bold/)
    await saveBranding(app.deps.db, client.id, { displayName: null }, new Date())
    const plain = await new Browserish(app).get(hosted.path)
    assert.match(plain.body, /<span class="brand-name">plain-client<\/span>/)
    assert.doesNotMatch(plain.body, /accent\//)
  })
})

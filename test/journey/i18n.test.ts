import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseAcceptLanguage } from '../../src/http/accept-language.ts'
import { accountsShared, chooseLanguage, countryName, translator } from '../../src/modules/journey/i18n.ts'
import { CATALOGUE, LANGUAGES } from '../../src/modules/journey/journey.messages.ts'
import { buildTestApp } from '../helpers/build-app.ts'
import { Browserish, CONFIG, createHosted } from './journey-helpers.ts'

describe('language choice', () => {
  test('language_code wins; then Accept-Language by q; then English', () => {
    assert.equal(chooseLanguage('de', 'fr-FR,fr;q=0.9'), 'de')
    assert.equal(chooseLanguage('DE', undefined), 'de')
    assert.equal(chooseLanguage(undefined, 'fr-CA,fr;q=0.9,en;q=0.8'), 'fr')
    assert.equal(chooseLanguage(undefined, 'en;q=0.5, nl;q=0.9'), 'nl')
    assert.equal(chooseLanguage(undefined, 'pt-BR, it;q=0.3'), 'it') // first language we speak, by preference
    assert.equal(chooseLanguage('pt', 'es-ES'), 'es') // a language we do not speak falls back to the browser's
    assert.equal(chooseLanguage(undefined, 'ja, zh;q=0.9'), 'en')
    assert.equal(chooseLanguage(undefined, 'de;q=0, fr;q=0.1'), 'fr') // q=0 means "not this one"
    assert.equal(chooseLanguage(undefined, ''), 'en')
    assert.equal(chooseLanguage(undefined, undefined), 'en')
    assert.equal(chooseLanguage(undefined, '*;q=0.5,<script>'), 'en')
  })

  test('Accept-Language parsing keeps the order of equal weights and ignores garbage', () => {
    assert.deepEqual(parseAcceptLanguage('da, en-gb;q=0.8, en;q=0.7'), ['da', 'en-gb', 'en'])
    assert.deepEqual(parseAcceptLanguage('es;q=0.8, it;q=0.8, fr'), ['fr', 'es', 'it'])
    assert.deepEqual(parseAcceptLanguage('en;q=abc, ;;, de'), ['en', 'de'])
  })
})

describe('the catalogue', () => {
  test('speaks en, de, fr, es, it, nl, every key non-empty', () => {
    assert.deepEqual([...LANGUAGES].sort(), ['de', 'en', 'es', 'fr', 'it', 'nl'])
    const keys = Object.keys(CATALOGUE.en!)
    for (const lang of LANGUAGES) {
      assert.deepEqual(Object.keys(CATALOGUE[lang]!).sort(), [...keys].sort(), lang)
      for (const k of keys) assert.ok((CATALOGUE[lang] as Record<string, string>)[k]!.trim().length > 0, `${lang} ${k}`)
    }
  })

  test('every translation uses exactly the placeholders of the English string', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const [key, en] of Object.entries(CATALOGUE.en!)) {
      for (const lang of LANGUAGES) {
        assert.deepEqual(placeholders((CATALOGUE[lang] as Record<string, string>)[key]!), placeholders(en), `${lang} ${key}`)
      }
    }
  })

  test('t() fills placeholders as text; unknown placeholders stay visible', () => {
    const t = translator('de')
    assert.equal(t('consent.title', { client: '<b>Acme</b>' }), 'Ihre Daten mit <b>Acme</b> teilen') // escaping is the template's job
    assert.equal(t('result.continue', {}), 'Weiter zu {client}')
    assert.equal(translator('xx')('picker.title'), 'Choose your bank')
  })

  test('country names and plurals come from CLDR in the page language', () => {
    assert.equal(countryName('de', 'GB'), 'Vereinigtes Königreich')
    assert.equal(countryName('fr', 'DE'), 'Allemagne')
    assert.equal(accountsShared(translator('en'), 'en', 1), '1 account shared.')
    assert.equal(accountsShared(translator('en'), 'en', 3), '3 accounts shared.')
    assert.equal(accountsShared(translator('fr'), 'fr', 0), '0 compte partagé.')
    assert.equal(accountsShared(translator('nl'), 'nl', 2), '2 rekeningen gedeeld.')
  })
})

describe('language and escaping on the page', () => {
  test('<html lang> follows language_code, else Accept-Language, else English', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client()
    const de = await createHosted(app, client, { ...CONFIG[1], hosted_page: { ...CONFIG[1].hosted_page, language_code: 'de' } })
    const plain = await createHosted(app, client, CONFIG[1])
    const page = (path: string, acceptLanguage?: string) => new Browserish(app, undefined, acceptLanguage).get(path)

    const german = await page(de.path, 'fr-FR')
    assert.match(german.body, /<html lang="de">/)
    assert.match(german.body, /<h1>Wählen Sie Ihre Bank<\/h1>/)
    assert.match((await page(plain.path, 'it-IT,it;q=0.9')).body, /<html lang="it">[\s\S]*<h1>Scegli la tua banca<\/h1>/)
    assert.match((await page(plain.path, 'nl-BE')).body, /<html lang="nl">[\s\S]*<h1>Kies je bank<\/h1>/)
    assert.match((await page(plain.path, 'es')).body, /<html lang="es">[\s\S]*<h1>Elige tu banco<\/h1>/)
    assert.match((await page(plain.path, 'ja')).body, /<html lang="en">[\s\S]*<h1>Choose your bank<\/h1>/)
    assert.match((await page(plain.path)).body, /<html lang="en">/)
    // error pages speak the connection's language too
    const bad = await page(`/data/${de.id}?token=wrong`, 'en')
    assert.equal(bad.statusCode, 404)
    assert.match(bad.body, /<html lang="de">[\s\S]*Dieser Link ist ungültig/)
  })

  test('user name and client name are escaped, never markup', async (t) => {
    const app = await buildTestApp(t)
    const client = await app.client({ name: 'Acme <img src=x onerror=alert`c`> & "Co"' })
    const hosted = await createHosted(app, client, { ...CONFIG[2], user: { name: '<script>alert`x`</script>', email: 'a@example.com' }, metadata: { m: '<script>alert`m`</script>' } })
    const res = await app.inject({ method: 'GET', url: hosted.path })
    assert.equal(res.statusCode, 200)
    assert.match(res.body, /Connecting for &lt;script&gt;alert`x`&lt;\/script&gt;/)
    assert.match(res.body, /Share your data with Acme &lt;img src=x onerror=alert`c`&gt; &amp; &quot;Co&quot;/)
    assert.doesNotMatch(res.body, /<script>alert|<img src=x/)
    assert.doesNotMatch(res.body, /alert`m`/) // metadata is never shown
  })
})

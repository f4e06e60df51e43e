import assert from 'node:assert/strict'
import { test } from 'node:test'
import { beginBankAuthorization } from '../../src/modules/connections/connection.authorization.ts'
import { toConnection } from '../../src/modules/connections/connection.model.ts'
import { findConnection } from '../../src/modules/connections/connection.repository.ts'
import { saveBranding } from '../../src/modules/auth/client-branding.repository.ts'
import { BANK_LANGUAGES, bankLanguage, bankMessages } from '../../src/modules/model-bank/model-bank.messages.ts'
import { findProvider } from '../../src/modules/providers/provider.catalog.ts'
import { buildTestApp, type TestApp, type TestClient } from '../helpers/build-app.ts'
import { CONFIG, createHosted } from '../journey/journey-helpers.ts'
import { BankBrowser, createBankConsent, PUBLIC_URL, pathOf } from './bank-kit.ts'

/**
 * The model bank speaks the journey's language: Ledgerite puts it on the bank link as `ui_locales`, the bank's
 * sign-in, accounts and error pages are written in it (with its own punctuation) and say so on `<html lang>`, and
 * the consent screen names the client by its display name.
 */

/** Through create-connection and the bank step, as the hosted consent page's Allow does: the bank link. */
async function journeyToBank (app: TestApp, client: TestClient, languageCode?: string): Promise<string> {
  const hosted = await createHosted(app, client, {
    ...CONFIG[2], hosted_page: { ...CONFIG[2].hosted_page, ...(languageCode ? { language_code: languageCode } : {}) },
  })
  const row = await findConnection(app.deps.db, client.id, hosted.id)
  assert.ok(row)
  const { uri } = await beginBankAuthorization(app.deps, { connection: toConnection(row), providerId: 'ob-monzo', now: await app.deps.clock.now(client.id) })
  return uri
}

const langOf = (html: string) => /<html lang="([^"]*)">/.exec(html)?.[1]
const h1Of = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1]

test('a German journey: ui_locales=de on the bank link; sign-in, refusal and accounts pages in German with the display name', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client({ name: 'my-app' })
  await saveBranding(app.deps.db, client.id, { displayName: 'Acme Budget' }, new Date())
  const uri = await journeyToBank(app, client, 'de')
  assert.equal(new URL(uri).searchParams.get('ui_locales'), 'de')

  const browser = new BankBrowser(app)
  const login = await browser.open(uri)
  assert.equal(login.res.statusCode, 200)
  assert.equal(langOf(login.html), 'de')
  assert.equal(h1Of(login.html), 'Bei Monzo anmelden')
  assert.match(login.html, /<strong>Acme Budget<\/strong> möchte Informationen aus Ihren Konten bei Monzo sehen/)
  assert.doesNotMatch(login.html, /my-app/, 'the display name, not the client\'s slug')
  assert.match(login.html, /<label for="username">Benutzername<\/label>/)
  assert.match(login.html, /<label for="password">Passwort<\/label>/)
  assert.match(login.html, />Anmelden<\/button>/)
  assert.match(login.html, /Modellbank · Sandbox/)
  assert.match(login.html, /<title>Bei Monzo anmelden · Monzo<\/title>/)

  const wrong = await browser.submit(login, { username: 'john', password: 'nope' })
  assert.equal(wrong.statusCode, 401)
  assert.match(wrong.body, /Benutzername oder Passwort ist falsch/)
  assert.equal(langOf(wrong.body), 'de')

  const signedIn = await browser.submit(login, { username: 'john', password: 'doe' })
  assert.equal(signedIn.statusCode, 303)
  assert.equal(new URL(String(signedIn.headers.location)).searchParams.get('ui_locales'), 'de', 'the page after sign-in keeps the language')
  const accounts = await browser.open(`${PUBLIC_URL}${pathOf(String(signedIn.headers.location))}`)
  assert.equal(langOf(accounts.html), 'de')
  assert.equal(h1Of(accounts.html), 'Ihre Konten mit Acme Budget teilen')
  assert.match(accounts.html, /Angemeldet als <strong>/)
  assert.match(accounts.html, /<legend>Wählen Sie die Konten, die Sie teilen möchten<\/legend>/)
  assert.match(accounts.html, /Fortlaufender Zugriff: Die Informationen dürfen bis zu \d+ Tage lang/)
  assert.match(accounts.html, /Girokonto/)
  assert.match(accounts.html, />Erlauben<\/button>/)
  assert.match(accounts.html, />Ablehnen<\/button>/)
  assert.doesNotMatch(accounts.html, />Allow<|>Deny<|Share your accounts/)

  const none = await browser.submit(accounts, { decision: 'allow' })
  assert.equal(none.statusCode, 400)
  assert.match(none.body, /Wählen Sie mindestens ein Konto aus oder wählen Sie „Ablehnen“\./)
  assert.equal(langOf(none.body), 'de')
})

test('French: ui_locales picks it over the browser; typographic spaces before the colon and inside the quotes', async (t) => {
  const app = await buildTestApp(t)
  const consent = await createBankConsent(app, { client_name: 'Budget Buddy', data_access_type: 'one_time' }, 'ob-monzo')
  const browser = new BankBrowser(app)
  const login = await browser.open(`${consent.authorizationUri}&ui_locales=${encodeURIComponent('fr-CA en')}`)
  assert.equal(langOf(login.html), 'fr')
  assert.equal(h1Of(login.html), 'Connectez-vous à Monzo')
  assert.match(login.html, /Banque de test\u202f: connectez-vous avec <code>john<\/code> \/ <code>doe<\/code>/)
  assert.match(login.html, /<label for="username">Nom d’utilisateur<\/label>/)

  const accounts = await browser.signIn(`${consent.authorizationUri}&ui_locales=fr`, 'john', 'doe')
  assert.equal(langOf(accounts.html), 'fr')
  assert.match(accounts.html, /<strong>Budget Buddy<\/strong> pourra voir\u202f:<\/p>/)
  assert.match(accounts.html, /Accès unique\u202f: les informations sont lues une seule fois/)
  assert.doesNotMatch(accounts.html, / :/, 'never a plain space before a colon')
  const none = await browser.submit(accounts, { decision: 'allow' })
  assert.match(none.body, /ou choisissez «\u202fRefuser\u202f»\./)
})

test('without ui_locales: the consent\'s language, else Accept-Language, else English', async (t) => {
  const app = await buildTestApp(t)
  const open = async (uri: string, acceptLanguage?: string) =>
    (await app.inject({ method: 'GET', url: pathOf(uri), headers: acceptLanguage ? { 'accept-language': acceptLanguage } : {} })).body

  const italian = await createBankConsent(app, { language_code: 'it' })
  const it = await open(italian.authorizationUri, 'nl-NL,nl;q=0.9')
  assert.equal(langOf(it), 'it')
  assert.equal(h1Of(it), 'Accedi a Mock')

  const dutch = await open((await createBankConsent(app)).authorizationUri, 'sv-SE, nl-NL;q=0.8, en;q=0.5')
  assert.equal(langOf(dutch), 'nl')
  assert.equal(h1Of(dutch), 'Inloggen bij Mock')

  const spanish = await open((await createBankConsent(app)).authorizationUri, 'es-MX')
  assert.equal(h1Of(spanish), 'Inicia sesión en Mock')

  const english = await open((await createBankConsent(app)).authorizationUri)
  assert.equal(langOf(english), 'en')
  assert.equal(h1Of(english), 'Sign in to Mock')
  assert.match(english, /Model bank · sandbox/)
})

test('the bank\'s error pages: its look, the page\'s language, what to do next; never "Invalid State"', async (t) => {
  const app = await buildTestApp(t)
  const client = await app.client({ name: 'my-app' })
  const monzo = findProvider('ob-monzo')!

  // Back after Deny: the request is finished.
  const uri = await journeyToBank(app, client, 'fr')
  const browser = new BankBrowser(app)
  const accounts = await browser.signIn(uri, 'john', 'doe')
  await browser.decide(accounts, 'deny')
  const back = await browser.open(uri)
  assert.equal(back.res.statusCode, 400)
  assert.equal(langOf(back.html), 'fr')
  assert.equal(h1Of(back.html), 'Cette demande est déjà terminée')
  assert.match(back.html, /Retournez dans l’application d’où vous venez pour voir le résultat/)
  assert.ok(back.html.includes(`.brand{background:${monzo.bg_color}`), 'the bank\'s colours')
  assert.match(back.html, /Erreur 400 · identifiant de trace <code>/)
  assert.doesNotMatch(back.html, /Invalid State/)
  assert.match(String(back.res.headers['content-security-policy']), /frame-ancestors 'none'/)
  assert.doesNotMatch(String(back.res.headers['content-security-policy']), /unsafe-inline/)

  // A form from a stale page (wrong CSRF token, same session), then from a browser whose session another took over.
  const consent = await createBankConsent(app, { language_code: 'de' }, 'ob-monzo')
  const first = new BankBrowser(app)
  const page = await first.open(consent.authorizationUri)
  const forged = await first.submit(page, { username: 'john', password: 'doe' }, { csrf: 'forged' })
  assert.equal(forged.statusCode, 403)
  assert.equal(h1Of(forged.body), 'Dieses Formular konnte nicht gesendet werden')
  await new BankBrowser(app).open(consent.authorizationUri)
  const stale = await first.submit(page, { username: 'john', password: 'doe' })
  assert.equal(stale.statusCode, 403)
  assert.equal(h1Of(stale.body), 'Ihre Sitzung bei der Bank ist beendet')

  // Expired before anyone answered.
  const late = await createBankConsent(app, { language_code: 'nl' })
  await app.deps.db.updateTable('bank_consents').set({ authorize_by: '2020-01-01T00:00:00.000Z' }).where('id', '=', late.consentId).execute()
  const expired = await app.inject({ method: 'GET', url: pathOf(late.authorizationUri) })
  assert.equal(expired.statusCode, 400)
  assert.equal(h1Of(expired.body), 'Dit verzoek is verlopen')

  // Unknown and incomplete links: the language of the link or the browser; a bank with no name for an unknown one.
  const unknown = await app.inject({ method: 'GET', url: '/model-bank/ob-monzo/authorize?consent_id=nope&ui_locales=es' })
  assert.equal(unknown.statusCode, 404)
  assert.equal(langOf(unknown.body), 'es')
  assert.equal(h1Of(unknown.body), 'El banco no conoce esta solicitud')
  const noBank = await app.inject({ method: 'GET', url: '/model-bank/no-such-bank/authorize?consent_id=x', headers: { 'accept-language': 'it' } })
  assert.equal(noBank.statusCode, 404)
  assert.match(noBank.body, /<span class="bank-name">Banca modello<\/span>/)
  const incomplete = await app.inject({ method: 'GET', url: '/model-bank/ob-monzo/authorize' })
  assert.equal(incomplete.statusCode, 400)
  assert.equal(h1Of(incomplete.body), 'This link to the bank is incomplete')
  assert.match(String(incomplete.headers['content-type']), /text\/html/)

  // The bank's API keeps answering as an API.
  const api = await app.inject({ method: 'GET', url: '/model-bank/no-such-bank/accounts' })
  assert.doesNotMatch(String(api.headers['content-type']), /text\/html/)
})

test('the catalogue: every language has every message; typographic apostrophes and quotes; French spaces before : ; ? ! and inside « »', () => {
  assert.deepEqual([...BANK_LANGUAGES], ['en', 'de', 'fr', 'es', 'it', 'nl'])
  const keys = Object.keys(bankMessages('en')).sort()
  for (const lang of BANK_LANGUAGES) {
    const messages = bankMessages(lang)
    assert.deepEqual(Object.keys(messages).sort(), keys, lang)
    for (const [key, text] of Object.entries(messages)) {
      assert.doesNotMatch(text, /['"]/, `${lang} ${key}: a straight quote or apostrophe`)
      assert.ok(text.trim() === text && text !== '', `${lang} ${key}: empty or padded`)
    }
  }
  for (const [key, text] of Object.entries(bankMessages('fr'))) {
    for (const m of text.matchAll(/[:;?!»]/g)) assert.equal(text[m.index - 1], '\u202f', `fr ${key}: "${text}"`)
    for (const m of text.matchAll(/«/g)) assert.equal(text[m.index + 1], '\u202f', `fr ${key}: "${text}"`)
  }
  for (const lang of ['en', 'de', 'es', 'it', 'nl']) {
    for (const [key, text] of Object.entries(bankMessages(lang))) assert.doesNotMatch(text, /[\u00a0\u202f][:;?!]/, `${lang} ${key}`)
  }
})

test('bankLanguage: ui_locales first (its first spoken tag), then the consent\'s, then Accept-Language by q, then English', () => {
  assert.equal(bankLanguage('sv fr-CA de', 'it', 'nl'), 'fr')
  assert.equal(bankLanguage('sv', 'it', 'nl'), 'it')
  assert.equal(bankLanguage(undefined, null, 'sv, nl;q=0.5, de;q=0.8'), 'de')
  assert.equal(bankLanguage(['de'], undefined, 'fr;q=0'), 'en')
  assert.equal(bankLanguage('', 'xx', undefined), 'en')
})

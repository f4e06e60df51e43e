import { parseAcceptLanguage } from '../../http/accept-language.ts'

/**
 * Every string the model bank's pages show, in the languages Ledgerite's hosted pages speak, so a journey stays in
 * one language from the picker to the bank and back. The bank is a separate system: it keeps its own catalogue and
 * its own language choice rather than borrowing the journey's. English defines the keys; every other language is
 * typed against it, so a missing translation is a type error. `{name}` placeholders are filled by `t()` and the
 * page escapes the result.
 *
 * Punctuation is each language's own: typographic apostrophes and quotes everywhere, and in French a narrow
 * no-break space (U+202F) before `:` `;` `?` `!` and inside « », so the mark never starts a line.
 */
const en = {
  'page.sandbox': 'Model bank · sandbox',
  'page.bank': 'Model bank',

  'login.title': 'Sign in to {bank}',
  'login.intro': '{client} wants to see information from your {bank} accounts. Sign in to continue.',
  'login.username': 'Username',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.hint': 'Sandbox bank: sign in as {user} / {password}. Other mock users are listed in Ledgerite’s README.',
  'login.wrong': 'The username or password is incorrect. Check them and try again.',
  'login.missing': 'Enter your username and password.',

  'accounts.title': 'Share your accounts with {client}',
  'accounts.signed_in': 'Signed in as {name}.',
  'accounts.will_see': '{client} will be able to see:',
  'accounts.legend': 'Choose the accounts to share',
  'accounts.allow': 'Allow',
  'accounts.deny': 'Deny',
  'accounts.none_chosen': 'Choose at least one account to share, or choose Deny.',
  'accounts.not_yours': 'One of the accounts chosen is not yours; choose again.',
  'account.current': 'Current account',
  'account.savings': 'Savings account',
  'account.card': 'Card',
  'account.unnamed': 'Account',

  'scope.info': 'Your name and contact details',
  'scope.accounts': 'Your account details (name, type, currency, account number)',
  'scope.balance': 'Your account balances',
  'scope.transactions': 'Your transactions, including pending ones',
  'access.one_time': 'One-time access: the information is read once, shortly after you allow it.',
  'access.recurring': 'Ongoing access: the information may be read again for up to {days} days, unless you revoke access sooner.',

  'error.incomplete_title': 'This link to the bank is incomplete',
  'error.incomplete_body': 'Part of the link is missing. Go back to the app you came from and start again.',
  'error.not_found_title': 'The bank does not know this request',
  'error.not_found_body': 'The link may be mistyped or out of date. Go back to the app you came from and start again.',
  'error.completed_title': 'This request is already finished',
  'error.completed_body': 'You have already answered this request at the bank. Go back to the app you came from to see the result.',
  'error.expired_title': 'This request has expired',
  'error.expired_body': 'Too much time passed before it was answered. Go back to the app you came from and start again.',
  'error.session_title': 'Your session at the bank has ended',
  'error.session_body': 'The link may have been opened in another browser, or cookies may be blocked. Go back to the app you came from and start again.',
  'error.form_title': 'This form could not be sent',
  'error.form_body': 'The form has expired or did not come from the bank’s page. Go back, reload the page and try again.',
  'error.trace': 'Error {status} · trace id',
} as const

export type BankMessageKey = keyof typeof en
type BankMessages = Record<BankMessageKey, string>

const de: BankMessages = {
  'page.sandbox': 'Modellbank · Sandbox',
  'page.bank': 'Modellbank',

  'login.title': 'Bei {bank} anmelden',
  'login.intro': '{client} möchte Informationen aus Ihren Konten bei {bank} sehen. Melden Sie sich an, um fortzufahren.',
  'login.username': 'Benutzername',
  'login.password': 'Passwort',
  'login.submit': 'Anmelden',
  'login.hint': 'Sandbox-Bank: Melden Sie sich als {user} / {password} an. Weitere Testnutzer stehen in der README von Ledgerite.',
  'login.wrong': 'Benutzername oder Passwort ist falsch. Prüfen Sie beides und versuchen Sie es erneut.',
  'login.missing': 'Geben Sie Ihren Benutzernamen und Ihr Passwort ein.',

  'accounts.title': 'Ihre Konten mit {client} teilen',
  'accounts.signed_in': 'Angemeldet als {name}.',
  'accounts.will_see': '{client} kann Folgendes sehen:',
  'accounts.legend': 'Wählen Sie die Konten, die Sie teilen möchten',
  'accounts.allow': 'Erlauben',
  'accounts.deny': 'Ablehnen',
  'accounts.none_chosen': 'Wählen Sie mindestens ein Konto aus oder wählen Sie „Ablehnen“.',
  'accounts.not_yours': 'Eines der gewählten Konten gehört nicht Ihnen. Bitte wählen Sie erneut.',
  'account.current': 'Girokonto',
  'account.savings': 'Sparkonto',
  'account.card': 'Karte',
  'account.unnamed': 'Konto',

  'scope.info': 'Ihren Namen und Ihre Kontaktdaten',
  'scope.accounts': 'Ihre Kontodaten (Name, Art, Währung, Kontonummer)',
  'scope.balance': 'Ihre Kontostände',
  'scope.transactions': 'Ihre Umsätze, einschließlich vorgemerkter Umsätze',
  'access.one_time': 'Einmaliger Zugriff: Die Informationen werden einmal gelesen, kurz nachdem Sie zugestimmt haben.',
  'access.recurring': 'Fortlaufender Zugriff: Die Informationen dürfen bis zu {days} Tage lang erneut gelesen werden, sofern Sie den Zugriff nicht vorher widerrufen.',

  'error.incomplete_title': 'Dieser Link zur Bank ist unvollständig',
  'error.incomplete_body': 'Ein Teil des Links fehlt. Kehren Sie zur App zurück, von der Sie kamen, und beginnen Sie erneut.',
  'error.not_found_title': 'Die Bank kennt diese Anfrage nicht',
  'error.not_found_body': 'Der Link ist vielleicht falsch oder veraltet. Kehren Sie zur App zurück, von der Sie kamen, und beginnen Sie erneut.',
  'error.completed_title': 'Diese Anfrage ist bereits abgeschlossen',
  'error.completed_body': 'Sie haben diese Anfrage bei der Bank bereits beantwortet. Kehren Sie zur App zurück, von der Sie kamen, um das Ergebnis zu sehen.',
  'error.expired_title': 'Diese Anfrage ist abgelaufen',
  'error.expired_body': 'Bis zur Antwort ist zu viel Zeit vergangen. Kehren Sie zur App zurück, von der Sie kamen, und beginnen Sie erneut.',
  'error.session_title': 'Ihre Sitzung bei der Bank ist beendet',
  'error.session_body': 'Der Link wurde vielleicht in einem anderen Browser geöffnet, oder Cookies sind blockiert. Kehren Sie zur App zurück, von der Sie kamen, und beginnen Sie erneut.',
  'error.form_title': 'Dieses Formular konnte nicht gesendet werden',
  'error.form_body': 'Das Formular ist abgelaufen oder stammt nicht von der Seite der Bank. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.',
  'error.trace': 'Fehler {status} · Trace-ID',
}

const fr: BankMessages = {
  'page.sandbox': 'Banque modèle · sandbox',
  'page.bank': 'Banque modèle',

  'login.title': 'Connectez-vous à {bank}',
  'login.intro': '{client} souhaite consulter des informations de vos comptes {bank}. Connectez-vous pour continuer.',
  'login.username': 'Nom d’utilisateur',
  'login.password': 'Mot de passe',
  'login.submit': 'Se connecter',
  'login.hint': 'Banque de test\u202f: connectez-vous avec {user} / {password}. Les autres utilisateurs fictifs sont listés dans le README de Ledgerite.',
  'login.wrong': 'Le nom d’utilisateur ou le mot de passe est incorrect. Vérifiez-les et réessayez.',
  'login.missing': 'Saisissez votre nom d’utilisateur et votre mot de passe.',

  'accounts.title': 'Partager vos comptes avec {client}',
  'accounts.signed_in': 'Connecté en tant que {name}.',
  'accounts.will_see': '{client} pourra voir\u202f:',
  'accounts.legend': 'Choisissez les comptes à partager',
  'accounts.allow': 'Autoriser',
  'accounts.deny': 'Refuser',
  'accounts.none_chosen': 'Choisissez au moins un compte à partager, ou choisissez «\u202fRefuser\u202f».',
  'accounts.not_yours': 'L’un des comptes choisis n’est pas le vôtre\u202f; choisissez à nouveau.',
  'account.current': 'Compte courant',
  'account.savings': 'Compte d’épargne',
  'account.card': 'Carte',
  'account.unnamed': 'Compte',

  'scope.info': 'Votre nom et vos coordonnées',
  'scope.accounts': 'Les détails de vos comptes (nom, type, devise, numéro de compte)',
  'scope.balance': 'Les soldes de vos comptes',
  'scope.transactions': 'Vos opérations, y compris celles en attente',
  'access.one_time': 'Accès unique\u202f: les informations sont lues une seule fois, peu après votre accord.',
  'access.recurring': 'Accès continu\u202f: les informations peuvent être lues de nouveau pendant {days} jours au plus, sauf si vous révoquez l’accès avant.',

  'error.incomplete_title': 'Ce lien vers la banque est incomplet',
  'error.incomplete_body': 'Une partie du lien manque. Retournez dans l’application d’où vous venez et recommencez.',
  'error.not_found_title': 'La banque ne connaît pas cette demande',
  'error.not_found_body': 'Le lien est peut-être erroné ou périmé. Retournez dans l’application d’où vous venez et recommencez.',
  'error.completed_title': 'Cette demande est déjà terminée',
  'error.completed_body': 'Vous avez déjà répondu à cette demande auprès de la banque. Retournez dans l’application d’où vous venez pour voir le résultat.',
  'error.expired_title': 'Cette demande a expiré',
  'error.expired_body': 'Trop de temps s’est écoulé avant la réponse. Retournez dans l’application d’où vous venez et recommencez.',
  'error.session_title': 'Votre session auprès de la banque est terminée',
  'error.session_body': 'Le lien a peut-être été ouvert dans un autre navigateur, ou les cookies sont bloqués. Retournez dans l’application d’où vous venez et recommencez.',
  'error.form_title': 'Ce formulaire n’a pas pu être envoyé',
  'error.form_body': 'Le formulaire a expiré ou ne vient pas de la page de la banque. Revenez en arrière, rechargez la page et réessayez.',
  'error.trace': 'Erreur {status} · identifiant de trace',
}

const es: BankMessages = {
  'page.sandbox': 'Banco modelo · sandbox',
  'page.bank': 'Banco modelo',

  'login.title': 'Inicia sesión en {bank}',
  'login.intro': '{client} quiere ver información de tus cuentas de {bank}. Inicia sesión para continuar.',
  'login.username': 'Usuario',
  'login.password': 'Contraseña',
  'login.submit': 'Iniciar sesión',
  'login.hint': 'Banco de pruebas: inicia sesión como {user} / {password}. Los demás usuarios de prueba están en el README de Ledgerite.',
  'login.wrong': 'El usuario o la contraseña no son correctos. Compruébalos e inténtalo de nuevo.',
  'login.missing': 'Introduce tu usuario y tu contraseña.',

  'accounts.title': 'Comparte tus cuentas con {client}',
  'accounts.signed_in': 'Sesión iniciada como {name}.',
  'accounts.will_see': '{client} podrá ver:',
  'accounts.legend': 'Elige las cuentas que quieres compartir',
  'accounts.allow': 'Permitir',
  'accounts.deny': 'Denegar',
  'accounts.none_chosen': 'Elige al menos una cuenta para compartir, o elige «Denegar».',
  'accounts.not_yours': 'Una de las cuentas elegidas no es tuya; vuelve a elegir.',
  'account.current': 'Cuenta corriente',
  'account.savings': 'Cuenta de ahorro',
  'account.card': 'Tarjeta',
  'account.unnamed': 'Cuenta',

  'scope.info': 'Tu nombre y tus datos de contacto',
  'scope.accounts': 'Los datos de tus cuentas (nombre, tipo, divisa, número de cuenta)',
  'scope.balance': 'Los saldos de tus cuentas',
  'scope.transactions': 'Tus movimientos, incluidos los pendientes',
  'access.one_time': 'Acceso único: la información se lee una sola vez, poco después de que lo permitas.',
  'access.recurring': 'Acceso continuo: la información puede volver a leerse durante un máximo de {days} días, salvo que revoques el acceso antes.',

  'error.incomplete_title': 'Este enlace al banco está incompleto',
  'error.incomplete_body': 'Falta una parte del enlace. Vuelve a la aplicación de la que vienes y empieza de nuevo.',
  'error.not_found_title': 'El banco no conoce esta solicitud',
  'error.not_found_body': 'Puede que el enlace esté mal escrito o caducado. Vuelve a la aplicación de la que vienes y empieza de nuevo.',
  'error.completed_title': 'Esta solicitud ya ha terminado',
  'error.completed_body': 'Ya has respondido a esta solicitud en el banco. Vuelve a la aplicación de la que vienes para ver el resultado.',
  'error.expired_title': 'Esta solicitud ha caducado',
  'error.expired_body': 'Pasó demasiado tiempo antes de responder. Vuelve a la aplicación de la que vienes y empieza de nuevo.',
  'error.session_title': 'Tu sesión en el banco ha terminado',
  'error.session_body': 'Puede que el enlace se abriera en otro navegador o que las cookies estén bloqueadas. Vuelve a la aplicación de la que vienes y empieza de nuevo.',
  'error.form_title': 'No se ha podido enviar este formulario',
  'error.form_body': 'El formulario ha caducado o no procede de la página del banco. Vuelve atrás, recarga la página e inténtalo de nuevo.',
  'error.trace': 'Error {status} · id. de traza',
}

const it: BankMessages = {
  'page.sandbox': 'Banca modello · sandbox',
  'page.bank': 'Banca modello',

  'login.title': 'Accedi a {bank}',
  'login.intro': '{client} vuole vedere le informazioni dei tuoi conti {bank}. Accedi per continuare.',
  'login.username': 'Nome utente',
  'login.password': 'Password',
  'login.submit': 'Accedi',
  'login.hint': 'Banca di prova: accedi come {user} / {password}. Gli altri utenti di prova sono elencati nel README di Ledgerite.',
  'login.wrong': 'Il nome utente o la password non sono corretti. Controllali e riprova.',
  'login.missing': 'Inserisci nome utente e password.',

  'accounts.title': 'Condividi i tuoi conti con {client}',
  'accounts.signed_in': 'Accesso effettuato come {name}.',
  'accounts.will_see': '{client} potrà vedere:',
  'accounts.legend': 'Scegli i conti da condividere',
  'accounts.allow': 'Consenti',
  'accounts.deny': 'Nega',
  'accounts.none_chosen': 'Scegli almeno un conto da condividere, oppure scegli «Nega».',
  'accounts.not_yours': 'Uno dei conti scelti non è tuo; scegli di nuovo.',
  'account.current': 'Conto corrente',
  'account.savings': 'Conto di risparmio',
  'account.card': 'Carta',
  'account.unnamed': 'Conto',

  'scope.info': 'Il tuo nome e i tuoi recapiti',
  'scope.accounts': 'I dati dei tuoi conti (nome, tipo, valuta, numero di conto)',
  'scope.balance': 'I saldi dei tuoi conti',
  'scope.transactions': 'I tuoi movimenti, compresi quelli in sospeso',
  'access.one_time': 'Accesso singolo: le informazioni vengono lette una sola volta, poco dopo il tuo consenso.',
  'access.recurring': 'Accesso continuativo: le informazioni possono essere lette di nuovo per un massimo di {days} giorni, a meno che tu non revochi l’accesso prima.',

  'error.incomplete_title': 'Questo link alla banca è incompleto',
  'error.incomplete_body': 'Manca una parte del link. Torna all’app da cui sei arrivato e ricomincia.',
  'error.not_found_title': 'La banca non conosce questa richiesta',
  'error.not_found_body': 'Il link potrebbe essere errato o non più valido. Torna all’app da cui sei arrivato e ricomincia.',
  'error.completed_title': 'Questa richiesta è già conclusa',
  'error.completed_body': 'Hai già risposto a questa richiesta presso la banca. Torna all’app da cui sei arrivato per vedere il risultato.',
  'error.expired_title': 'Questa richiesta è scaduta',
  'error.expired_body': 'È passato troppo tempo prima della risposta. Torna all’app da cui sei arrivato e ricomincia.',
  'error.session_title': 'La tua sessione presso la banca è terminata',
  'error.session_body': 'Il link potrebbe essere stato aperto in un altro browser, oppure i cookie sono bloccati. Torna all’app da cui sei arrivato e ricomincia.',
  'error.form_title': 'Impossibile inviare questo modulo',
  'error.form_body': 'Il modulo è scaduto o non proviene dalla pagina della banca. Torna indietro, ricarica la pagina e riprova.',
  'error.trace': 'Errore {status} · ID traccia',
}

const nl: BankMessages = {
  'page.sandbox': 'Modelbank · sandbox',
  'page.bank': 'Modelbank',

  'login.title': 'Inloggen bij {bank}',
  'login.intro': '{client} wil informatie van je rekeningen bij {bank} zien. Log in om verder te gaan.',
  'login.username': 'Gebruikersnaam',
  'login.password': 'Wachtwoord',
  'login.submit': 'Inloggen',
  'login.hint': 'Testbank: log in als {user} / {password}. De andere testgebruikers staan in de README van Ledgerite.',
  'login.wrong': 'De gebruikersnaam of het wachtwoord klopt niet. Controleer ze en probeer het opnieuw.',
  'login.missing': 'Vul je gebruikersnaam en wachtwoord in.',

  'accounts.title': 'Deel je rekeningen met {client}',
  'accounts.signed_in': 'Ingelogd als {name}.',
  'accounts.will_see': '{client} kan het volgende zien:',
  'accounts.legend': 'Kies de rekeningen die je wilt delen',
  'accounts.allow': 'Toestaan',
  'accounts.deny': 'Weigeren',
  'accounts.none_chosen': 'Kies minstens één rekening om te delen, of kies ‘Weigeren’.',
  'accounts.not_yours': 'Een van de gekozen rekeningen is niet van jou; kies opnieuw.',
  'account.current': 'Betaalrekening',
  'account.savings': 'Spaarrekening',
  'account.card': 'Kaart',
  'account.unnamed': 'Rekening',

  'scope.info': 'Je naam en contactgegevens',
  'scope.accounts': 'Je rekeninggegevens (naam, soort, valuta, rekeningnummer)',
  'scope.balance': 'Je saldi',
  'scope.transactions': 'Je transacties, ook die nog in behandeling zijn',
  'access.one_time': 'Eenmalige toegang: de informatie wordt één keer gelezen, kort nadat je toestemming geeft.',
  'access.recurring': 'Doorlopende toegang: de informatie mag tot {days} dagen opnieuw worden gelezen, tenzij je de toegang eerder intrekt.',

  'error.incomplete_title': 'Deze link naar de bank is onvolledig',
  'error.incomplete_body': 'Een deel van de link ontbreekt. Ga terug naar de app waar je vandaan kwam en begin opnieuw.',
  'error.not_found_title': 'De bank kent dit verzoek niet',
  'error.not_found_body': 'De link is misschien verkeerd of verouderd. Ga terug naar de app waar je vandaan kwam en begin opnieuw.',
  'error.completed_title': 'Dit verzoek is al afgerond',
  'error.completed_body': 'Je hebt dit verzoek bij de bank al beantwoord. Ga terug naar de app waar je vandaan kwam om het resultaat te zien.',
  'error.expired_title': 'Dit verzoek is verlopen',
  'error.expired_body': 'Er ging te veel tijd voorbij voordat het werd beantwoord. Ga terug naar de app waar je vandaan kwam en begin opnieuw.',
  'error.session_title': 'Je sessie bij de bank is beëindigd',
  'error.session_body': 'De link is misschien in een andere browser geopend, of cookies worden geblokkeerd. Ga terug naar de app waar je vandaan kwam en begin opnieuw.',
  'error.form_title': 'Dit formulier kon niet worden verzonden',
  'error.form_body': 'Het formulier is verlopen of kwam niet van de pagina van de bank. Ga terug, laad de pagina opnieuw en probeer het nog eens.',
  'error.trace': 'Fout {status} · trace-id',
}

const CATALOGUE: Readonly<Record<string, BankMessages>> = Object.freeze({ en, de, fr, es, it, nl })

/** The languages the bank's pages speak (ISO 639-1), English first: the last fallback. */
export const BANK_LANGUAGES: readonly string[] = Object.freeze(Object.keys(CATALOGUE))

/** Every message of one language, for checks over the whole catalogue. */
export function bankMessages (language: string): Readonly<BankMessages> {
  return CATALOGUE[language] ?? en
}

const spoken = (tag: string): string | undefined => {
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? ''
  return BANK_LANGUAGES.includes(primary) ? primary : undefined
}

/**
 * The language of a bank page: the first of `ui_locales` (OpenID Connect's space-separated list of preferred
 * languages, which the caller puts on the authorize link) that the bank speaks, else the language the caller gave
 * with the consent, else the browser's Accept-Language, else English. The same browser with no language given
 * anywhere gets what the journey's pages chose from the same header.
 */
export function bankLanguage (uiLocales: unknown, consentLanguage: string | null | undefined, acceptLanguage: string | undefined): string {
  if (typeof uiLocales === 'string') {
    for (const tag of uiLocales.slice(0, 200).split(' ').slice(0, 10)) {
      const lang = spoken(tag)
      if (lang) return lang
    }
  }
  const fromConsent = consentLanguage ? spoken(consentLanguage) : undefined
  if (fromConsent) return fromConsent
  for (const tag of parseAcceptLanguage(acceptLanguage)) {
    const lang = spoken(tag)
    if (lang) return lang
  }
  return 'en'
}

export type BankTranslate = (key: BankMessageKey, params?: Record<string, string | number>) => string

/** `t(key, {name})` for one language. Placeholders are replaced as text; the page escapes the result. */
export function bankTranslator (language: string): BankTranslate {
  const messages = bankMessages(language)
  return (key, params) => {
    const template = messages[key]
    if (!params) return template
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole))
  }
}

import type { Rng } from './prng.ts'

/**
 * Bank identifiers that look right for each provider: the bank's real BIC where it is well known (public
 * information), a sort code in the bank's usual range for UK banks, and IBANs with valid check digits in each
 * country's layout. For a provider not listed, the BIC is built from its name (4 letters + country + "2L").
 */
interface BankDetails {
  bic: string
  /** Leading digits of the bank's sort codes (UK). */
  sortPrefix?: string
}

const KNOWN: Readonly<Record<string, BankDetails>> = {
  'ob-monzo': { bic: 'MONZGB2LXXX', sortPrefix: '040004' },
  'ob-barclays': { bic: 'BARCGB22XXX', sortPrefix: '20' },
  'ob-barclays-business': { bic: 'BARCGB22XXX', sortPrefix: '20' },
  'ob-barclaycard': { bic: 'BARCGB22XXX', sortPrefix: '20' },
  'ob-lloyds': { bic: 'LOYDGB2LXXX', sortPrefix: '30' },
  'ob-lloyds-business': { bic: 'LOYDGB2LXXX', sortPrefix: '30' },
  'ob-lloyds-commercial': { bic: 'LOYDGB2LXXX', sortPrefix: '30' },
  'ob-hsbc': { bic: 'HBUKGB4BXXX', sortPrefix: '40' },
  'ob-hsbc-business': { bic: 'HBUKGB4BXXX', sortPrefix: '40' },
  'ob-first-direct': { bic: 'HBUKGB4BXXX', sortPrefix: '4047' },
  'ob-natwest': { bic: 'NWBKGB2LXXX', sortPrefix: '60' },
  'ob-natwest-business': { bic: 'NWBKGB2LXXX', sortPrefix: '60' },
  'ob-mettle': { bic: 'NWBKGB2LXXX', sortPrefix: '6083' },
  'ob-rbs': { bic: 'RBOSGB2LXXX', sortPrefix: '83' },
  'ob-rbs-business': { bic: 'RBOSGB2LXXX', sortPrefix: '83' },
  'ob-coutts': { bic: 'COUTGB22XXX', sortPrefix: '18' },
  'ob-santander': { bic: 'ABBYGB2LXXX', sortPrefix: '09' },
  'ob-santander-business': { bic: 'ABBYGB2LXXX', sortPrefix: '09' },
  'ob-nationwide': { bic: 'NAIAGB21XXX', sortPrefix: '07' },
  'ob-starling': { bic: 'SRLGGB2LXXX', sortPrefix: '608371' },
  'ob-revolut': { bic: 'REVOGB21XXX', sortPrefix: '040075' },
  'ob-halifax': { bic: 'HLFXGB21XXX', sortPrefix: '11' },
  'ob-bos': { bic: 'BOFSGB21XXX', sortPrefix: '80' },
  'ob-bos-business': { bic: 'BOFSGB21XXX', sortPrefix: '80' },
  'ob-boi': { bic: 'BOFIGB2BXXX', sortPrefix: '90' },
  'ob-danske': { bic: 'DABAGB2BXXX', sortPrefix: '95' },
  'ob-danske-business': { bic: 'DABAGB2BXXX', sortPrefix: '95' },
  'ob-tsb': { bic: 'TSBSGB2AXXX', sortPrefix: '77' },
  'ob-ulster': { bic: 'ULSBGB2BXXX', sortPrefix: '98' },
  'ob-virgin-money': { bic: 'CLYDGB2SXXX', sortPrefix: '82' },
  'ob-transferwise': { bic: 'TRWIGB2LXXX', sortPrefix: '231470' },
  'ob-tide': { bic: 'CLRBGB22XXX', sortPrefix: '040605' },
  'ob-chase': { bic: 'CHASGB2LXXX', sortPrefix: '6084' },
  'ob-aib-corporate': { bic: 'FTBKGB2BXXX', sortPrefix: '93' },
  'ob-aib': { bic: 'AIBKIE2DXXX' },
  'ob-aib-business': { bic: 'AIBKIE2DXXX' },
  'ob-boi-ie': { bic: 'BOFIIE2DXXX' },
  'ob-ptsb': { bic: 'IPBSIE2DXXX' },
  'ob-revolut-ie': { bic: 'REVOIE23XXX' },
  'xs2a-deutsche-bank': { bic: 'DEUTDEFFXXX' },
  'xs2a-commerzbank': { bic: 'COBADEFFXXX' },
  'xs2a-n26-de': { bic: 'NTSBDEB1XXX' },
  'xs2a-n26-fr': { bic: 'NTSBDEB1XXX' },
  'xs2a-ing-germany': { bic: 'INGDDEFFXXX' },
  'xs2a-postbank-de': { bic: 'PBNKDEFFXXX' },
  'xs2a-comdirect': { bic: 'COBADEHDXXX' },
  'xs2a-hypovereinsbank': { bic: 'HYVEDEMMXXX' },
  'stet-bnp-paribas-ma-banque': { bic: 'BNPAFRPPXXX' },
  'stet-societe-generale': { bic: 'SOGEFRPPXXX' },
  'stet-credit-agricole': { bic: 'AGRIFRPPXXX' },
  'stet-banque-postale-business': { bic: 'PSSTFRPPXXX' },
  'xs2a-redsys-bbva': { bic: 'BBVAESMMXXX' },
  'xs2a-redsys-caixabank': { bic: 'CAIXESBBXXX' },
  'xs2a-redsys-banco-santander': { bic: 'BSCHESMMXXX' },
  'xs2a-redsys-banco-sabadell': { bic: 'BSABESBBXXX' },
  'xs2a-openbank': { bic: 'OPENESMMXXX' },
  'xs2a-intesa-sanpaolo-it': { bic: 'BCITITMMXXX' },
  'xs2a-unicredit-it': { bic: 'UNCRITMMXXX' },
  'xs2a-fineco-it': { bic: 'FEBIITM1XXX' },
  'xs2a-abn-amro': { bic: 'ABNANL2AXXX' },
  'xs2a-rabobank': { bic: 'RABONL2UXXX' },
  'xs2a-knab-nl': { bic: 'KNABNL2HXXX' },
  'xs2a-erste-at': { bic: 'GIBAATWWXXX' },
  'xs2a-raiffeisen-at': { bic: 'RZBAATWWXXX' },
  'xs2a-belfius': { bic: 'GKCCBEBBXXX' },
  'xs2a-kbc-be': { bic: 'KREDBEBBXXX' },
  'xs2a-nordea-fi': { bic: 'NDEAFIHHXXX' },
  'xs2a-op-fi': { bic: 'OKOYFIHHXXX' },
}

export function bankDetailsOf (providerId: string, displayName: string, country: string): BankDetails {
  const known = KNOWN[providerId]
  if (known) return known
  const letters = (displayName.toUpperCase().replace(/[^A-Z]/g, '') + 'XXXX').slice(0, 4)
  return { bic: `${letters}${country}2LXXX` }
}

/** A 6-digit sort code in the bank's range. */
export function sortCode (rng: Rng, prefix = '04'): string {
  return prefix + rng.digits(6 - prefix.length)
}

export function accountNumber (rng: Rng): string {
  return String(rng.int(1, 9)) + rng.digits(7)
}

/** ISO 13616 mod-97 of an IBAN rearranged (country + check digits moved to the end, letters as 10..35). */
export function ibanRemainder (iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  let rem = 0
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0)
    const value = code >= 65 ? String(code - 55) : ch
    for (const digit of value) rem = (rem * 10 + Number(digit)) % 97
  }
  return rem
}

function withCheckDigits (country: string, bban: string): string {
  const check = 98 - ibanRemainder(`${country}00${bban}`)
  return `${country}${String(check).padStart(2, '0')}${bban}`
}

/** Spanish "dígitos de control" over bank+branch and over the account number. */
function spanishControl (digits: string): string {
  const weights = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]
  const sum = digits.padStart(10, '0').split('').reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0)
  const dc = 11 - (sum % 11)
  return String(dc === 11 ? 0 : dc === 10 ? 1 : dc)
}

/** French RIB key over bank, branch and account (all digits here). */
function ribKey (bank: string, branch: string, account: string): string {
  const rem = (89 * Number(bank) + 15 * Number(branch) + 3 * Number(account)) % 97
  return String(97 - rem).padStart(2, '0')
}

function luhnDigit (digits: string): string {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9 }
    sum += d
  }
  return String((10 - (sum % 10)) % 10)
}

/**
 * An IBAN in the country's layout with valid check digits. For GB and IE the BBAN is the BIC's bank code, the
 * sort code (NSC) and the account number, so a GB IBAN matches the account's sort code and number.
 */
/** The GB IBAN of a UK account: the BIC's bank code, then its sort code and account number (so one per account). */
export function ibanOfScan (bic: string, sortCode: string, accountNumber: string): string {
  return withCheckDigits('GB', bic.slice(0, 4) + sortCode + accountNumber)
}

export function iban (rng: Rng, country: string, bic: string, scan?: { sortCode: string, accountNumber: string }): string {
  const bankCode = bic.slice(0, 4)
  switch (country) {
    case 'GB':
    case 'IE':
      return withCheckDigits(country, bankCode + (scan ? scan.sortCode + scan.accountNumber : rng.digits(6) + accountNumber(rng)))
    case 'DE':
      return withCheckDigits(country, rng.digits(8) + rng.digits(10))
    case 'FR': {
      const bank = rng.digits(5)
      const branch = rng.digits(5)
      const account = rng.digits(11)
      return withCheckDigits(country, bank + branch + account + ribKey(bank, branch, account))
    }
    case 'ES': {
      const bank = rng.digits(4)
      const branch = rng.digits(4)
      const account = rng.digits(10)
      return withCheckDigits(country, bank + branch + spanishControl('00' + bank + branch) + spanishControl(account) + account)
    }
    case 'IT':
      return withCheckDigits(country, rng.alnum(1).replace(/[0-9]/, 'X') + rng.digits(10) + rng.digits(12))
    case 'NL':
      return withCheckDigits(country, bankCode + rng.digits(10))
    case 'AT':
      return withCheckDigits(country, rng.digits(5) + rng.digits(11))
    case 'BE': {
      const body = rng.digits(10)
      const check = Number(BigInt(body) % 97n) || 97
      return withCheckDigits(country, body + String(check).padStart(2, '0'))
    }
    case 'FI': {
      const body = rng.digits(13)
      return withCheckDigits(country, body + luhnDigit(body))
    }
    default:
      return withCheckDigits(country, rng.digits(16))
  }
}

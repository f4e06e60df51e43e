// "language_code — The language code of the user. This is used to determine which language to show on the hosted
// page, overriding the browser's locale." A code the hosted pages do not speak would silently show another language,
// so it is refused, listing the languages they do speak.
import { HOSTED_PAGE_LANGUAGES } from '../hosted-page-languages.ts'
import type { Rule } from './rule.ts'
import { at } from './rule.ts'

export const supportedLanguage: Rule = {
  name: 'hosted page language supported',
  check ({ body }, errors) {
    const code = at(body, 'hosted_page', 'language_code')
    // The schema reports a code that is not two lower-case letters; only a well-formed one is checked here.
    if (typeof code !== 'string' || !/^[a-z]{2}$/.test(code) || (HOSTED_PAGE_LANGUAGES as readonly string[]).includes(code)) return
    errors.add('hosted_page.language_code', `is not a language the hosted pages offer: use one of ${HOSTED_PAGE_LANGUAGES.join(', ')} (or leave it out to follow the browser's Accept-Language)`)
  },
}

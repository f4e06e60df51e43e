import type { FastifyInstance } from 'fastify'
import { invalidParameters } from '../contract/errors.ts'

/**
 * The JSON body parser: Fastify's own (prototype-poisoning checks included), except that a syntax error is
 * answered with where it is. Fastify 5 replaces JSON.parse's message with a generic one, and Node 20's messages do
 * not always carry a position; a client needs "line 19, column 3", so the position is found here.
 */
export function registerJsonBodyParser (app: FastifyInstance, bodyLimit: number): void {
  const fastifyParser = app.getDefaultJsonParser('error', 'error')
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    fastifyParser(request, body as string, (err: (Error & { code?: string, statusCode?: number }) | null, value?: unknown) => {
      if (err?.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
        const where = locateJsonError(body as string)
        const syntax = Object.assign(new SyntaxError(where ? where.message : 'the body could not be parsed'), { statusCode: 400 })
        return done(syntax, undefined)
      }
      // Escapes can smuggle text that is not storable: an unpaired surrogate (\uD800) is not Unicode, and
      // storage would silently turn it into U+FFFD; NUL (\u0000) cannot be stored in PostgreSQL text at all.
      // Refuse both on every database alike, naming where. Only bodies holding such an escape are walked.
      if (!err && /\\u(0000|[dD][89a-fA-F])/.test(body as string)) {
        const found = findUnstorableText(value, '')
        if (found !== undefined) return done(invalidParameters({ [found.path || 'body']: [found.problem] }), undefined)
      }
      done(err, value)
    })
  })
}

const UNPAIRED = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Why a string cannot be stored as text, or undefined when it can. */
export function unstorableText (s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain the NUL character (\\u0000)'
  if (UNPAIRED.test(s)) return 'must be valid Unicode text: it contains an unpaired surrogate escape (\\uD800–\\uDFFF)'
  return undefined
}

/** The field path (and problem) of the first string or key that cannot be stored, or undefined. */
export function findUnstorableText (value: unknown, path: string): { path: string, problem: string } | undefined {
  if (typeof value === 'string') {
    const problem = unstorableText(value)
    return problem ? { path, problem } : undefined
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findUnstorableText(value[i], `${path}[${i}]`)
      if (found) return found
    }
    return undefined
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const child = path ? `${path}.${k}` : k
      const keyProblem = unstorableText(k)
      if (keyProblem) return { path: child, problem: keyProblem }
      const found = findUnstorableText(v, child)
      if (found) return found
    }
  }
  return undefined
}

export interface JsonErrorLocation { position: number, line: number, column: number, message: string }

/** The first syntax error of `text` (RFC 8259 grammar), or undefined when it is valid JSON. */
export function locateJsonError (text: string): JsonErrorLocation | undefined {
  let i = 0
  class Stop extends Error { constructor (readonly at: number, readonly what: string) { super(what) } }
  const fail = (what: string, at = i): never => { throw new Stop(at, what) }
  const describe = (at: number) => (at >= text.length ? 'end of input' : `${JSON.stringify(text[at])}`)
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++ }

  const string = () => {
    i++ // opening quote
    while (true) {
      if (i >= text.length) fail('unterminated string')
      const ch = text.charCodeAt(i)
      if (ch === 0x22) { i++; return }
      if (ch < 0x20) fail('control character in a string (escape it)')
      if (ch === 0x5c) {
        const e = text[i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('invalid \\u escape')
          i += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2
        else fail('invalid escape in a string')
      } else i++
    }
  }
  const number = () => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400))
    if (!m || m[0] === '' || m[0] === '-') fail(`unexpected ${describe(i)}`)
    i += m![0].length
  }
  const value = (): void => {
    ws()
    const ch = text[i]
    if (ch === '{') object()
    else if (ch === '[') array()
    else if (ch === '"') string()
    else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) number()
    else {
      const literal = ['true', 'false', 'null'].find((lit) => text.startsWith(lit, i))
      if (!literal) fail(`unexpected ${describe(i)}, expected a value`)
      i += literal!.length
    }
  }
  const object = () => {
    i++
    ws()
    if (text[i] === '}') { i++; return }
    while (true) {
      ws()
      if (text[i] !== '"') fail(`unexpected ${describe(i)}, expected a double-quoted property name`)
      string()
      ws()
      if (text[i] !== ':') fail(`unexpected ${describe(i)}, expected ':'`)
      i++
      value()
      ws()
      if (text[i] === '}') { i++; return }
      if (text[i] !== ',') fail(`unexpected ${describe(i)}, expected ',' or '}'`)
      const comma = i
      i++
      ws()
      if (text[i] === '}') fail("trailing comma before '}'", comma)
    }
  }
  const array = () => {
    i++
    ws()
    if (text[i] === ']') { i++; return }
    while (true) {
      value()
      ws()
      if (text[i] === ']') { i++; return }
      if (text[i] !== ',') fail(`unexpected ${describe(i)}, expected ',' or ']'`)
      const comma = i
      i++
      ws()
      if (text[i] === ']') fail("trailing comma before ']'", comma)
    }
  }

  try {
    value()
    ws()
    if (i < text.length) fail(`unexpected ${describe(i)} after the JSON value`)
    return undefined
  } catch (err) {
    if (!(err instanceof Stop)) return { position: 0, line: 1, column: 1, message: 'the body is nested too deeply to parse' }
    const before = text.slice(0, err.at)
    const line = before.split('\n').length
    const column = err.at - before.lastIndexOf('\n')
    return { position: err.at, line, column, message: `${err.what} at line ${line}, column ${column} (position ${err.at})` }
  }
}

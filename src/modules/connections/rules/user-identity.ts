// "user.name — Yes (unless you have an AISP licence)"; "Name and either email or phone are required."
import type { Rule } from './rule.ts'
import { obj, str } from './rule.ts'

export const userIdentity: Rule = {
  name: 'user name and contact',
  check ({ body, client }, errors) {
    const user = obj(obj(body)?.user)
    if (!user) return // `user` itself is required by the schema
    const name = str(user.name)
    if (name !== undefined && name.trim() === '') errors.add('user.name', 'must not be blank')
    // A client holding its own AISP licence may leave every user field out.
    if (client.aispLicence) return
    const why = 'unless your client holds an AISP licence'
    if (user.name === undefined) errors.add('user.name', `is required (${why})`)
    if (user.email === undefined && user.phone === undefined) {
      errors.add('user.email', `is required when user.phone is not given (${why})`)
      errors.add('user.phone', `is required when user.email is not given (${why})`)
    }
  },
}

import { Type } from '@sinclair/typebox'

/** Wire shapes of the sandbox control extension. */

export const AuthorizeParams = Type.Object({ connection_id: Type.String({ minLength: 1, maxLength: 128 }) })
export const AuthorizeBody = Type.Object({
  outcome: Type.Unsafe<'authorized' | 'failed'>({ type: 'string', enum: ['authorized', 'failed'], description: 'How the journey ends.' }),
  username: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Model bank mock user (default john).' })),
  failure_reason: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'With outcome failed: why (default provider_rejected).' })),
  provider_id: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'For a user_selected connection: the provider the user picks (default the first offered).' })),
}, { additionalProperties: false })

export const AdvanceBody = Type.Object({
  by: Type.String({ maxLength: 64, description: 'ISO-8601 duration: PnD, PTnHnMnS, PnDTnH…, or PnW.' }),
}, { additionalProperties: false })

export const ClockView = Type.Object({
  now: Type.String({ format: 'date-time', description: 'The client\'s virtual now.' }),
  offset_seconds: Type.Integer({ description: 'How far the client\'s clock is ahead of real time.' }),
})

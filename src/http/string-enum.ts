import { Type } from '@sinclair/typebox'

/**
 * A string enum that validates as `{type: string, enum}` (TypeBox's own is a union of literals), so a wrong value is
 * answered with the values that exist, and /openapi.json shows the enum as the published files do.
 */
export const StringEnum = <T extends string>(values: readonly T[], options: Record<string, unknown> = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...options })

/**
 * For a client that chose `--unknown-fields ignore`: the create body without the fields its schema does not declare,
 * and where they were. The walk follows the JSON Schema the route validates with — an object's `properties` when
 * `additionalProperties` is false, and for a union discriminated by `type` the branch that `type` picks — so what
 * is kept is exactly what validation then judges. A map with its own value schema (`metadata`) keeps every key; a
 * union whose `type` is missing or unknown is left whole, for validation to report. The body was parsed under the
 * body limit, and the walk visits each value at most once, to a fixed depth.
 */

interface SchemaNode {
  type?: unknown
  properties?: Record<string, SchemaNode>
  additionalProperties?: unknown
  items?: SchemaNode
  oneOf?: SchemaNode[]
  const?: unknown
}

const MAX_DEPTH = 16

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The `oneOf` branch whose `type` constant equals the value's `type`, if any. */
function branchFor (schema: SchemaNode, value: Record<string, unknown>): SchemaNode | undefined {
  return schema.oneOf?.find((b) => b.properties?.type?.const !== undefined && b.properties.type.const === value.type)
}

function walk (schema: SchemaNode, value: unknown, path: string, ignored: string[], depth: number): unknown {
  if (depth > MAX_DEPTH) return value
  if (Array.isArray(value)) return schema.items ? value.map((v, i) => walk(schema.items!, v, `${path}[${i}]`, ignored, depth + 1)) : value
  if (!isPlainObject(value)) return value
  let node = schema
  if (schema.oneOf) {
    const branch = branchFor(schema, value)
    if (!branch) return value
    node = branch
  }
  if (!node.properties) return value
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    const child = Object.hasOwn(node.properties, key) ? node.properties[key] : undefined
    const at = path ? `${path}.${key}` : key
    if (child) out[key] = walk(child, v, at, ignored, depth + 1)
    else if (node.additionalProperties === false) ignored.push(at)
    else out[key] = v
  }
  return out
}

/** `body` without the fields `schema` does not declare (a copy; `body` is unchanged), and their dotted paths. */
export function dropUnknownFields (schema: object, body: unknown): { body: unknown, ignored: string[] } {
  const ignored: string[] = []
  return { body: walk(schema as SchemaNode, body, '', ignored, 0), ignored }
}

/**
 * The one multipart/form-data form the Console has (branding, with its logo file), read without a plugin: the
 * body is bounded by the route's bodyLimit, the parts are few and named, and a file part is kept as bytes. Any
 * other shape (no boundary, a part without a name, too many parts) is refused as a bad form.
 */
export interface MultipartForm {
  fields: Record<string, string>
  files: Record<string, { filename: string, bytes: Buffer }>
}

const MAX_PARTS = 12

export function parseMultipart (contentType: string, body: Buffer): MultipartForm | undefined {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType)
  const boundary = m?.[1] ?? m?.[2]
  if (!boundary) return undefined
  const delimiter = Buffer.from(`--${boundary}`)
  const form: MultipartForm = { fields: {}, files: {} }
  let at = body.indexOf(delimiter)
  if (at < 0) return undefined
  for (let n = 0; ; n++) {
    at += delimiter.length
    if (body.subarray(at, at + 2).toString() === '--') return form // the closing delimiter
    if (n >= MAX_PARTS) return undefined
    if (body.subarray(at, at + 2).toString() !== '\r\n') return undefined
    at += 2
    const headerEnd = body.indexOf('\r\n\r\n', at)
    if (headerEnd < 0) return undefined
    const headers = body.subarray(at, headerEnd).toString('utf8')
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4)
    if (next < 0) return undefined
    const content = body.subarray(headerEnd + 4, next)
    const disposition = /^content-disposition:\s*form-data;(.*)$/im.exec(headers)?.[1] ?? ''
    const name = /\bname="([^"]{1,64})"/.exec(disposition)?.[1]
    if (!name) return undefined
    const filename = /\bfilename="([^"]{0,255})"/.exec(disposition)?.[1]
    if (filename !== undefined) {
      // A file input left empty still sends its part, with no name and no bytes.
      if (filename !== '' || content.length > 0) form.files[name] = { filename, bytes: Buffer.from(content) }
    } else form.fields[name] = content.toString('utf8')
    at = next + 2
  }
}

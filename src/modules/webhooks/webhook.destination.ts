import { BlockList, isIP } from 'node:net'
import { checkUri } from '../auth/client.repository.ts'

/**
 * Where webhook deliveries may go. A client chooses its webhook URI, so without a policy Ledgerite would POST to
 * any address its own network can reach (cloud metadata services, databases on the private network), and the
 * delivery log would report what answered: a port scanner. The policy is checked twice: when the URI is
 * registered (its literal address or well-known name) and when a delivery connects (every address the name
 * resolves to, so a name that later resolves elsewhere — DNS rebinding — is caught too).
 */

/** What an address is, for the policy. */
export type AddressKind = 'loopback' | 'private' | 'public' | 'link-local' | 'unspecified' | 'multicast' | 'reserved'

/** The kinds an operator may allow with `WEBHOOK_ALLOWED_NETWORKS`; the others are never reachable. */
export const CONFIGURABLE_KINDS = ['loopback', 'private', 'public'] as const
type ConfigurableKind = typeof CONFIGURABLE_KINDS[number]

/** Loopback for local development (receivers on localhost), public for real receivers; private ranges opt-in. */
export const DEFAULT_WEBHOOK_ALLOWED_NETWORKS = 'loopback,public'

/** Names of cloud metadata services: refused whatever they resolve to, and whatever the policy says. */
const METADATA_HOSTNAMES = new Set([
  'metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal',
  'metadata.azure.internal', 'metadata.tencentyun.com', 'metadata.packet.net',
])

const NEVER: Record<Exclude<AddressKind, ConfigurableKind>, string> = {
  'link-local': 'a link-local address, where cloud metadata services answer',
  unspecified: 'an unspecified address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
}

export interface WebhookDestinationPolicy {
  /** The kinds allowed as a whole. */
  readonly kinds: ReadonlySet<ConfigurableKind>
  /** Ranges allowed on top of the kinds (never one of the always-refused kinds). */
  readonly ranges: BlockList
  /** The setting as given (normalised), for messages. */
  readonly text: string
}

/** Parses `WEBHOOK_ALLOWED_NETWORKS`: a comma-separated list of `loopback`, `private`, `public` and CIDR ranges. */
export function parseWebhookAllowedNetworks (raw: string): { policy: WebhookDestinationPolicy, problems: string[] } {
  const problems: string[] = []
  const kinds = new Set<ConfigurableKind>()
  const ranges = new BlockList()
  const items = raw.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '')
  for (const item of items) {
    if ((CONFIGURABLE_KINDS as readonly string[]).includes(item)) { kinds.add(item as ConfigurableKind); continue }
    const [net, bits, extra] = item.split('/')
    const family = isIP(net ?? '')
    const prefix = Number(bits)
    if (extra !== undefined || family === 0 || bits === undefined || !/^\d{1,3}$/.test(bits) || prefix > (family === 4 ? 32 : 128)) {
      problems.push(`${JSON.stringify(item)} is neither loopback, private, public nor a CIDR range such as 10.1.0.0/16`)
      continue
    }
    ranges.addSubnet(net!, prefix, family === 4 ? 'ipv4' : 'ipv6')
  }
  return { policy: { kinds, ranges, text: items.join(',') }, problems }
}

export const DEFAULT_WEBHOOK_DESTINATIONS = parseWebhookAllowedNetworks(DEFAULT_WEBHOOK_ALLOWED_NETWORKS).policy

/** An address as 16 bytes (IPv4 as IPv4-mapped), or undefined when it is not an IP address. */
function toBytes (address: string): number[] | undefined {
  const family = isIP(address)
  if (family === 4) return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...address.split('.').map(Number)]
  if (family !== 6) return undefined
  let text = address.replace(/%.*$/, '')
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number)
    text = `${text.slice(0, dotted.index)}${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`
  }
  const [head, tail] = text.split('::') as [string, string | undefined]
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : [])
  const h = groups(head)
  const t = groups(tail)
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t]
  return all.flatMap((g) => [g >> 8, g & 0xff])
}

function kindOfV4 ([a, b]: number[]): AddressKind {
  if (a === 0) return 'unspecified' // 0.0.0.0/8, "this network": connecting to it reaches the host itself
  if (a === 127) return 'loopback'
  if (a === 10 || (a === 172 && b! >= 16 && b! < 32) || (a === 192 && b === 168) || (a === 100 && b! >= 64 && b! < 128)) return 'private'
  if (a === 169 && b === 254) return 'link-local'
  if (a! >= 224 && a! < 240) return 'multicast'
  if (a! >= 240) return 'reserved' // 240/4 and the broadcast address
  return 'public'
}

/**
 * The kind of an address, IPv4 or IPv6, and the IPv4 address it stands for when it embeds one (IPv4-mapped,
 * IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16): those reach the IPv4 address, so they are judged as it.
 */
export function classifyAddress (address: string): { kind: AddressKind, v4?: string } | undefined {
  const bytes = toBytes(address)
  if (!bytes) return undefined
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((x) => x === 0)
  const v4At = (i: number) => bytes.slice(i, i + 4)
  let v4: number[] | undefined
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) v4 = v4At(12)
  else if (bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) v4 = v4At(12)
  else if (bytes[0] === 0x20 && bytes[1] === 0x02) v4 = v4At(2)
  else if (zeros(0, 12)) {
    if (zeros(12, 15) && bytes[15] === 0) return { kind: 'unspecified' }
    if (zeros(12, 15) && bytes[15] === 1) return { kind: 'loopback' }
    v4 = v4At(12)
  }
  if (v4) return { kind: kindOfV4(v4), v4: v4.join('.') }
  const [a, b] = bytes as [number, number]
  if (a === 0xff) return { kind: 'multicast' }
  if (a === 0xfe && (b & 0xc0) === 0x80) return { kind: 'link-local' }
  if (a === 0xfe && (b & 0xc0) === 0xc0) return { kind: 'private' } // fec0::/10, the old site-local
  if ((a & 0xfe) === 0xfc) return { kind: 'private' } // fc00::/7, unique local
  return { kind: 'public' }
}

/** Why the policy refuses this address, or undefined when a delivery may connect to it. */
export function addressRefusal (address: string, policy: WebhookDestinationPolicy): string | undefined {
  const c = classifyAddress(address)
  if (!c) return `${address} is not an IP address`
  const shown = c.v4 && c.v4 !== address ? `${address} (${c.v4})` : address
  if (c.kind in NEVER) return `${shown} is ${NEVER[c.kind as keyof typeof NEVER]}, which webhooks may never reach`
  if (policy.kinds.has(c.kind as ConfigurableKind)) return undefined
  const inRange = c.v4 ? policy.ranges.check(c.v4, 'ipv4') : policy.ranges.check(address, 'ipv6')
  if (inRange) return undefined
  return `${shown} is a ${c.kind} address, which WEBHOOK_ALLOWED_NETWORKS (${policy.text || 'empty'}) does not allow`
}

/** Lower case, without the brackets of an IPv6 literal or the trailing dot of a fully qualified name. */
const bareHost = (hostname: string): string => hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '')

/**
 * What can be judged of a host without resolving it: an IP literal (WHATWG URL parsing has already turned
 * `2130706433` and `0x7f.1` into 127.0.0.1), a metadata service's name, `localhost`. Other names are judged
 * when a delivery resolves them.
 */
export function hostRefusal (hostname: string, policy: WebhookDestinationPolicy): string | undefined {
  const host = bareHost(hostname)
  if (METADATA_HOSTNAMES.has(host)) return `${host} is a cloud metadata service, which webhooks may never reach`
  if (isIP(host)) return addressRefusal(host, policy)
  // RFC 6761: localhost and its subdomains are loopback wherever they are resolved.
  if (host === 'localhost' || host.endsWith('.localhost')) return addressRefusal('127.0.0.1', policy)
  return undefined
}

/**
 * Problems with a webhook URI a client wants registered (the checks of every URI, then the destination policy),
 * or undefined when it is acceptable. Phrased to follow the field's name: "webhook_uri must …".
 */
export function checkWebhookUri (uri: string, policy: WebhookDestinationPolicy): string | undefined {
  const problem = checkUri(uri)
  if (problem) return problem
  const refusal = hostRefusal(new URL(uri).hostname, policy)
  return refusal ? `must not point at ${refusal}` : undefined
}

/** A delivery the policy stopped before it connected. Not retried: the answer would be the same every time. */
export class DestinationRefusedError extends Error {
  readonly code = 'EDESTINATIONREFUSED'
  constructor (readonly reason: string) {
    super(`refused by the webhook destination policy: ${reason}`)
    this.name = 'DestinationRefusedError'
  }
}

import { createServer, type Server, type Socket, connect } from 'node:net'

/**
 * A TCP relay in front of a shared server (PostgreSQL), so a test can make it unreachable for one app alone:
 * `down()` cuts every relayed connection and refuses new ones, as a crashed or failed-over server does; `up()`
 * listens again on the same port. The real server and the other tests using it are never touched.
 */
export interface TcpProxy {
  port: number
  down (): Promise<void>
  up (): Promise<void>
  close (): Promise<void>
}

export async function startTcpProxy (targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = 0
  const listen = () => new Promise<void>((resolve, reject) => {
    const s = createServer((inbound) => {
      const outbound = connect(targetPort, targetHost)
      for (const sock of [inbound, outbound]) {
        sockets.add(sock)
        sock.on('close', () => sockets.delete(sock))
        sock.on('error', () => { inbound.destroy(); outbound.destroy() })
      }
      inbound.pipe(outbound)
      outbound.pipe(inbound)
    })
    s.once('error', reject)
    s.listen(port, '127.0.0.1', () => {
      port = (s.address() as { port: number }).port
      server = s
      resolve()
    })
  })
  const down = async () => {
    const s = server
    server = undefined
    for (const sock of sockets) sock.destroy()
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()))
  }
  await listen()
  return { port, down, up: listen, close: down }
}

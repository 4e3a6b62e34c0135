/**
 * Loopback ports for servers the tests start as separate processes (rsyslogd, nginx, HAProxy,
 * child servers), which must be told a port before they bind it.
 *
 * A port the kernel handed out for `listen(0)` and that was then released lies in its ephemeral
 * range, which every outgoing connection of every process also draws from: under load, one of
 * them can take it before the child binds it (seen in CI: HAProxy failing to start). So a port is
 * chosen at random below that range, where the kernel never hands one out by itself, and checked
 * free on 127.0.0.1.
 *
 * Test files run in several worker processes at once, each drawing ports: checked free, a port is
 * closed again until its server binds it, and another worker could draw it meanwhile. HAProxy
 * binds with SO_REUSEPORT, so two of them would then share the port, each answering some of the
 * other's connections. So each vitest worker draws from its own slice of the range
 * (`VITEST_POOL_ID`).
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';

/** The lowest port handed out here: above the well-known and common development ports. */
const LOWEST = 20_000;

/**
 * Ports this process handed out: a port checked free is closed again before its server binds it,
 * so a second call before that bind could draw the same one (HAProxy binds with SO_REUSEPORT, and
 * two listeners would then share a port).
 */
const handedOut = new Set<number>();

/** How many slices the range is cut into: one per vitest worker (pool ids above it share slices). */
const SLICES = 8;

/** The ports [from, to) this process draws from: its worker's slice of [LOWEST, ephemeral start). */
function range(): readonly [number, number] {
  const below = ephemeralStart();
  const pool = Number(process.env.VITEST_POOL_ID);
  if (!Number.isInteger(pool) || pool < 1) return [LOWEST, below];
  const width = Math.floor((below - LOWEST) / SLICES);
  const from = LOWEST + ((pool - 1) % SLICES) * width;
  return [from, from + width];
}

/** The first port of the kernel's ephemeral range (Linux's default if it cannot be read). */
function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** Resolves to the port once something could listen on 127.0.0.1:`port` (0: any), else `undefined`. */
function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      const bound = (server.address() as { port: number }).port;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A free port on 127.0.0.1 for a server not yet started: random below the kernel's ephemeral range,
 * in this worker's slice of it (see the module's comment), checked bindable, never one this process
 * handed out before; from the kernel (`listen(0)`) only if the slice is too small or 50 tries found none.
 */
export async function freePort(): Promise<number> {
  const [from, to] = range();
  if (to - from >= 500) {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const candidate = randomInt(from, to);
      if (handedOut.has(candidate)) continue;
      const port = await tryListen(candidate);
      if (port === undefined) continue;
      handedOut.add(port);
      return port;
    }
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  return port;
}

/** Resolves once 127.0.0.1:`port` accepts TCP connections; throws after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = netConnect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

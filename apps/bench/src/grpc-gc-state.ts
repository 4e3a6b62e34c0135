/**
 * Diagnostic behind the README's gRPC finding (`npm run bench:grpc-gc`, about 45 s): plain
 * grpc-js, no Faultline, answering every call with `callback(err)` (or, with `GC_SERVER=http2`, a
 * bare Node HTTP/2 server), run three ways, interleaved:
 *
 * - `as started`: the connection's HTTP/2 session stays in the young generation unless a
 *   mark-compact happens to run during the connection (random from run to run);
 * - `session promoted`: two full collections 0.3 s into the run, as happens to any long-lived
 *   connection at its first mark-compact;
 * - `promoted, fixed stream table`: the same, with Node's per-session stream map replaced by a
 *   table that never reallocates (patching Node internals: a diagnostic, never do this in a server).
 *
 * Node keeps a session's open streams in a Map (`session[kState].streams`); every call adds and
 * deletes one entry, so the Map's backing table is reallocated every few calls. V8 allocates the
 * new table in the old generation when the previous one was old, and the discarded tables keep
 * their entries: until the next mark-compact, those dead tables hold every closed stream, and
 * through grpc-js's listeners every call, alive through each scavenge. The third mode removes
 * exactly that and nothing else.
 */
import http2 from 'node:http2';
import { fileURLToPath } from 'node:url';
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { answerParent } from './child-server.js';
import { FixedStreamTable } from './fixed-stream-table.js';
import { grpcLoad } from './grpc-load.js';
import { forkServer, gcFigures, median, promoteSoon } from './measure.js';
import { pgError } from './pg-error.js';
import { pin } from './pinning.js';
import { BENCH_SERVICE, listenGrpc } from './ratio-servers.js';

const MODES = ['as started', 'session promoted', 'promoted, fixed stream table'] as const;
type Mode = (typeof MODES)[number];

const seconds = Number(process.env.BENCH_DURATION ?? 3);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const script = fileURLToPath(import.meta.url);

/** Every new HTTP/2 session of the process gets a {@link FixedStreamTable} for its streams. */
function fixStreamTables(): void {
  const createServer = http2.createServer;
  const patched = (...args: Parameters<typeof http2.createServer>) => {
    const server = createServer(...args);
    server.on('session', (session) => {
      const state = Reflect.ownKeys(session).find((key) => String(key) === 'Symbol(state)');
      const fields = (session as unknown as Record<string | symbol, { streams?: { size?: unknown } } | undefined>)[
        state ?? ''
      ];
      // Node's SafeMap (a Map whose prototype is cut off, so not `instanceof Map`), still empty.
      if (fields?.streams?.size === 0) fields.streams = new FixedStreamTable();
    });
    return server;
  };
  (http2 as { createServer: unknown }).createServer = patched;
}

/**
 * `GC_SERVER=http2`: a bare Node HTTP/2 server instead of grpc-js, answering each stream with a
 * gRPC-style trailers-only error, with some per-stream state reachable from the stream through a
 * listener (as any framework's request objects are): the state is Node's, not grpc-js's.
 */
async function listenBareHttp2(): Promise<number> {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    const state = { chunks: [] as Buffer[], fields: Array.from({ length: 40 }, (_, i) => ({ i, name: `f${i}` })) };
    stream.on('data', (chunk: Buffer) => state.chunks.push(chunk));
    stream.on('end', () =>
      stream.respond(
        { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '6', 'grpc-message': 'conflict' },
        { endStream: true },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function serve(mode: Mode): Promise<void> {
  if (mode === 'promoted, fixed stream table') fixStreamTables();
  const implementation = {
    get(_call: unknown, callback: (error: unknown) => void) {
      callback(pgError());
    },
  } as unknown as UntypedServiceImplementation;
  const port =
    process.env.GC_SERVER === 'http2'
      ? await listenBareHttp2()
      : (await listenGrpc(false, BENCH_SERVICE, implementation)).port;
  answerParent(port);
}

interface Run {
  readonly rps: number;
  readonly gcUsPerCall: number;
  readonly majorsPerSecond: number;
}

async function runOnce(mode: Mode): Promise<Run> {
  const server = await forkServer(script, mode, ['--expose-gc']);
  await grpcLoad(server.port, 1);
  const before = await gcFigures(server);
  const started = Date.now();
  const loading = grpcLoad(server.port, seconds);
  if (mode !== 'as started') promoteSoon(server);
  const calls = await loading;
  const elapsed = (Date.now() - started) / 1000;
  const after = await gcFigures(server);
  await server.stop();
  return {
    rps: calls / elapsed,
    gcUsPerCall: ((after.gcMs - before.gcMs) * 1000) / Math.max(1, calls),
    majorsPerSecond: (after.majors - before.majors) / elapsed,
  };
}

async function main(): Promise<void> {
  pin(process.pid, 1);
  const runs = new Map<Mode, Run[]>(MODES.map((mode) => [mode, []]));
  for (let round = 0; round < rounds; round += 1) for (const mode of MODES) runs.get(mode)?.push(await runOnce(mode));
  const kind = process.env.GC_SERVER === 'http2' ? 'bare Node HTTP/2 server' : 'plain grpc-js, callback(err)';
  console.log(`\n${kind}, h2load -c1 -m50, ${seconds}s runs, ${rounds} interleaved rounds`);
  console.log(
    `${'mode'.padEnd(30)} ${'calls/s (each run)'.padEnd(28)} ${'GC us/call'.padStart(11)} ${'mark-compacts/s'.padStart(16)}`,
  );
  for (const [mode, list] of runs) {
    const each = list.map((run) => (run.rps / 1000).toFixed(1)).join(' ');
    console.log(
      `${mode.padEnd(30)} ${`${each} k`.padEnd(28)} ${median(list.map((r) => r.gcUsPerCall))
        .toFixed(1)
        .padStart(11)} ${median(list.map((r) => r.majorsPerSecond))
        .toFixed(1)
        .padStart(16)}`,
    );
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as Mode);
else await main();

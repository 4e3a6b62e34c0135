/**
 * `bench:express-instructions`: instructions and V8 heap bytes each Express request costs the
 * server, success and error, Faultline against stock Express, counted by valgrind's callgrind so
 * the figure does not move with the machine's load. Each `express-servers.ts` mode runs in its own
 * process under callgrind with `--single-threaded` (the collector's and the compilers' work is on
 * the counted thread): warmed up with W requests alternating the two routes, counters zeroed, then
 * per route windows of N requests counted, one keep-alive connection with one request in flight,
 * until two windows in a row agree within 0.5% on the rest (below): V8 still compiles hot code
 * under callgrind well into the run, and a window with a mark-compact in it counts 4% more rest.
 * Then B requests of each route counted by the server's allocation counter (`alloc-counter.ts`,
 * outside the counted windows). Between processes the error route's rest still moves by about 2%,
 * the success route's by about 0.5%: compare Faultline variants on the success route first.
 *
 * Prints per mode and route, per request of the last window: the instructions counted, those in
 * V8's compilers and in collections (inclusive, as `bench:grpc-instructions` splits them), the rest
 * (total less both, what the windows must agree on and the figure to compare modes by), the heap
 * bytes, and for the Faultline modes the stock mode's rest over Faultline's (the same wiring).
 *
 * `node dist/express-instructions.js` (from apps/bench, after the build; needs valgrind). Five to
 * ten minutes a mode with the defaults on two busy cores. EXPRESS_INSTRUCTIONS_MODES
 * (comma-separated) picks the modes (a `fastify-…` mode counts a Faultline Fastify server of
 * `fastify-servers.ts` the same way: `fastify-sync`, `fastify-sync-reporter`, `fastify-async`, `fastify-async-logger`), EXPRESS_INSTRUCTIONS_WARM (default 5000),
 * EXPRESS_INSTRUCTIONS_REQUESTS (default 1000, a window) and EXPRESS_INSTRUCTIONS_BYTES (default
 * 2000) the counts, EXPRESS_INSTRUCTIONS_WINDOWS (default 10) the most windows before a route is
 * reported unsettled, EXPRESS_INSTRUCTIONS_AGREE (default 0.005) how close two windows must be.
 * EXPRESS_INSTRUCTIONS_KEEP=<dir> keeps callgrind's files there and runs the servers with `--perf-basic-prof` (and callgrind with
 * `--dump-instr=yes`): `/tmp/perf-<pid>.map` then names the JIT code in the dumps (those flags
 * add instructions of their own: compare kept runs with kept runs).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countedParts, startNamedUnderCallgrind } from './callgrind-server.js';
import { EXPRESS_MODES, type ExpressMode, expressPaths } from './express-servers.js';
import type { FastifyMode } from './fastify-servers.js';
import { askServer } from './measure.js';

/** A mode of express-servers.ts, or (named `fastify-…`) of fastify-servers.ts. */
type Mode = ExpressMode | FastifyMode;
const modes = (process.env.EXPRESS_INSTRUCTIONS_MODES?.split(',') ?? EXPRESS_MODES) as Mode[];
const warm = Number(process.env.EXPRESS_INSTRUCTIONS_WARM ?? 5000);
const perWindow = Number(process.env.EXPRESS_INSTRUCTIONS_REQUESTS ?? 1000);
const perBytes = Number(process.env.EXPRESS_INSTRUCTIONS_BYTES ?? 2000);
const maxWindows = Math.max(2, Number(process.env.EXPRESS_INSTRUCTIONS_WINDOWS ?? 10));
const agree = Number(process.env.EXPRESS_INSTRUCTIONS_AGREE ?? 0.005);
const keep = process.env.EXPRESS_INSTRUCTIONS_KEEP;
const scriptOf = (mode: Mode) =>
  fileURLToPath(
    new URL(mode.startsWith('fastify-') ? './fastify-servers.js' : './express-servers.js', import.meta.url),
  );
const pathsOf = (mode: Mode) =>
  mode.startsWith('fastify-') ? { ok: '/ok', fail: '/fail' } : expressPaths(mode as ExpressMode);

/** One GET of `path` on the agent's one connection; resolves with the status (0 on a failure). */
function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', () => resolve(0));
    });
    req.once('error', () => resolve(0));
    req.end();
  });
}

/** The status each path is answered with: the success route's 200, the pg unique violation's 409. */
const expectedStatus = (path: string) => (path.endsWith('fail') ? 409 : 200);

/** Sends `count` GETs, one in flight, cycling through `paths`; resolves with those answered as expected. */
async function send(agent: Agent, port: number, paths: readonly string[], count: number): Promise<number> {
  let answered = 0;
  for (let i = 0; i < count; i += 1) {
    const path = paths[i % paths.length] ?? '/';
    if ((await get(agent, port, path)) === expectedStatus(path)) answered += 1;
  }
  return answered;
}

/** What one route of one mode cost, per request. */
interface RouteCost {
  /** Every instruction counted. */
  readonly total: number;
  /** In V8's compilers and in collections (see `Counted` in callgrind-server.ts). */
  readonly compile: number;
  readonly gc: number;
  /** The total less both: the figure to compare modes by. */
  readonly instructions: number;
  readonly bytes: number;
  readonly note: string;
}

/** True when two windows' counts agree (within 0.5% by default). */
const settled = (a: number, b: number) => Math.abs(a - b) <= agree * Math.min(a, b);

/** Counts `mode`'s success and error routes in one server process. */
async function measureMode(mode: Mode, dir: string): Promise<{ ok: RouteCost; fail: RouteCost }> {
  const outFile = join(dir, `callgrind.${mode}`);
  const server = await startNamedUnderCallgrind(scriptOf(mode), mode, outFile, keep !== undefined);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const paths = pathsOf(mode);
  let dumps = 0;
  const countRoute = async (path: string): Promise<RouteCost> => {
    let previous = Number.NaN;
    let window = 1;
    let agreed = false;
    let per = { total: Number.NaN, compile: Number.NaN, gc: Number.NaN, instructions: Number.NaN };
    let done = 0;
    for (; ; window += 1) {
      done = await send(agent, server.port, [path], perWindow);
      server.dump();
      dumps += 1;
      const counted = countedParts(`${outFile}.${dumps}`);
      const n = Math.max(1, done);
      per = {
        total: counted.total / n,
        compile: counted.compile / n,
        gc: counted.gc / n,
        instructions: (counted.total - counted.compile - counted.gc) / n,
      };
      agreed = settled(previous, per.instructions);
      if (agreed || window >= maxWindows) break;
      previous = per.instructions;
    }
    await askServer(server, 'alloc-start', 'allocStarted');
    const counted = await send(agent, server.port, [path], perBytes);
    const bytes = (await askServer<number>(server, 'alloc-stop', 'allocBytes')) / Math.max(1, counted);
    server.zero();
    return { ...per, bytes, note: `${done}/${perWindow}, window ${window}${agreed ? '' : ', NOT settled'}` };
  };
  try {
    await send(agent, server.port, [paths.ok, paths.fail], warm);
    server.zero();
    const ok = await countRoute(paths.ok);
    const fail = await countRoute(paths.fail);
    return { ok, fail };
  } finally {
    agent.destroy();
    await server.stop();
  }
}

const dir = keep ?? mkdtempSync(join(tmpdir(), 'faultline-express-callgrind-'));
if (keep !== undefined) mkdirSync(keep, { recursive: true });
console.log(
  `Express instructions and heap bytes per request (callgrind, --single-threaded, Node ${process.versions.node}): ${warm} requests of warm-up, windows of ${perWindow} until two agree within ${agree * 100}% (at most ${maxWindows}), ${perBytes} requests for the bytes, one in flight`,
);
const COLUMNS = ['total', 'compile', 'gc', 'rest', 'bytes', 'stock/rest'];
console.log(`${'mode'.padEnd(16)} ${'route'.padEnd(6)} ${COLUMNS.map((c) => c.padStart(10)).join(' ')}  (per request)`);
const measured = new Map<string, number>();
try {
  for (const mode of modes) {
    const costs = await measureMode(mode, dir);
    for (const route of ['ok', 'fail'] as const) {
      const cost = costs[route];
      measured.set(`${mode} ${route}`, cost.instructions);
      const stock = measured.get(`${mode.replace(/^faultline-/, 'stock-')} ${route}`);
      const ratio = stock === undefined || mode.startsWith('stock') ? '-' : (stock / cost.instructions).toFixed(3);
      const figures = [cost.total, cost.compile, cost.gc, cost.instructions, cost.bytes].map((n) =>
        n.toFixed(0).padStart(10),
      );
      console.log(`${mode.padEnd(16)} ${route.padEnd(6)} ${figures.join(' ')} ${ratio.padStart(10)}  ${cost.note}`);
    }
  }
} finally {
  if (keep === undefined) rmSync(dir, { recursive: true, force: true });
  else console.log(`callgrind files kept in ${dir}`);
}

/**
 * WebSocket benchmark, side by side in one run: error-frame round trips per second when a
 * message handler throws a validation fault, answered by Faultline's adapter versus a
 * hand-written handler that catches and sends a pre-serialized error frame with a fresh id
 * spliced in (the fastest correct thing a developer could write by hand). Each server runs in
 * its own child process on 127.0.0.1; the parent keeps a fixed number of clients each with one
 * message in flight for a bounded time. Goal (issue 6): Faultline >= 0.95x the hand-written frame.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { answerParent } from './child-server.js';
import { benchStates, measureRounds, type StateRun } from './gc-state.js';
import { median } from './measure.js';
import { pin } from './pinning.js';

const MODES = ['hand-written', 'faultline'] as const;
/**
 * The servers `serve` starts: the two compared above, and for `bench:ws-alloc` the adapter with
 * `reporter: false` (its own cost without the reporter's) and wired through `adapter.connection`
 * (the README's wiring: a connection id and record attributes per socket).
 */
export const SERVE_MODES = [...MODES, 'faultline-quiet', 'faultline-connection'] as const;
/** A server `serve` starts. */
export type Mode = (typeof SERVE_MODES)[number];
const DURATION_MS = Number(process.env.BENCH_DURATION ?? 4) * 1000;
const CLIENTS = 32;

async function serve(mode: Mode): Promise<void> {
  const { FaultError } = await import('@faultline/core');
  const { createWsAdapter } = await import('@faultline/ws');
  const adapter = createWsAdapter(mode === 'faultline-quiet' ? { reporter: false } : {});
  const server = createServer();
  const wss = new WebSocketServer({ server });
  const head = '{"error":{"status":400,"code":"VALIDATION_FAILED","message":"The request is invalid.","request_id":"';
  const throwing = () => {
    throw FaultError.of('validation');
  };
  if (mode === 'faultline-connection') {
    wss.on(
      'connection',
      adapter.connection((socket) => {
        socket.on('message', adapter.message(socket, throwing));
      }),
    );
  }
  wss.on('connection', (socket) => {
    if (mode === 'faultline-connection') return;
    if (mode !== 'hand-written') {
      socket.on('message', adapter.message(socket, throwing));
    } else {
      socket.on('error', () => undefined);
      socket.on('message', () => {
        try {
          throw FaultError.of('validation');
        } catch {
          socket.send(`${head}${randomUUID()}"}}`);
        }
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  answerParent((server.address() as { port: number }).port);
}

/**
 * `clients` sockets, each with one message in flight, for `durationMs` or until `maxFrames`
 * round trips are done: resolves with the round trips.
 */
export async function wsLoad(
  port: number,
  durationMs: number,
  clients = CLIENTS,
  maxFrames = Infinity,
): Promise<number> {
  let roundTrips = 0;
  const deadline = Date.now() + durationMs;
  await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
          ws.on('open', () => ws.send('x'));
          ws.on('message', () => {
            roundTrips += 1;
            if (roundTrips < maxFrames && Date.now() < deadline) ws.send('x');
            else ws.close();
          });
          ws.on('close', () => resolve());
          ws.on('error', () => resolve());
        }),
    ),
  );
  return roundTrips;
}

async function main(): Promise<void> {
  pin(process.pid, 1); // the load generator (this process) on core 1, servers on core 0
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const states = benchStates();
  // WS_MODES adds servers of SERVE_MODES (e.g. `faultline-quiet`), each compared with the hand-written frame.
  const modes: readonly Mode[] = [
    ...MODES,
    ...((process.env.WS_MODES?.split(',') ?? []) as Mode[]).filter(
      (mode) => SERVE_MODES.includes(mode) && !MODES.includes(mode as (typeof MODES)[number]),
    ),
  ];
  const runs = await measureRounds(fileURLToPath(import.meta.url), modes, states, rounds, DURATION_MS, wsLoad);
  console.log(
    `\nWebSocket error frames: ${CLIENTS} clients, one message in flight each, ${DURATION_MS / 1000}s x ${rounds} interleaved rounds (medians), load average ${loadavg()[0]?.toFixed(2)}`,
  );
  console.log(
    `${'state'.padEnd(6)} ${'mode'.padEnd(21)} ${'round trips/s'.padStart(14)} ${'server CPU us/frame'.padStart(20)} ${'heap B/frame'.padStart(13)}`,
  );
  for (const state of states) {
    const list = (mode: Mode) => runs.get(`${state}:${mode}`) ?? [];
    for (const mode of modes) {
      const m = (pick: (r: StateRun) => number) => median(list(mode).map(pick));
      console.log(
        `${state.padEnd(6)} ${mode.padEnd(21)} ${m((r) => r.rate)
          .toFixed(0)
          .padStart(14)} ${m((r) => r.cpuUs)
          .toFixed(1)
          .padStart(20)} ${m((r) => r.bytesPerOp)
          .toFixed(0)
          .padStart(13)}`,
      );
    }
    for (const mode of modes.filter((m) => m !== 'hand-written')) {
      const ratios = list(mode).map((f, i) => f.rate / (list('hand-written')[i]?.rate ?? Number.NaN));
      const ratio = median(ratios);
      const judged =
        mode !== 'faultline' ? 'information' : state === 'idle' ? (ratio >= 0.95 ? 'met' : 'NOT met') : 'information';
      console.log(
        `${state.padEnd(6)} ${mode} / hand-written: ${ratio.toFixed(2)}x round trips/s (spread ${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}; goal >= 0.95 in the idle state: ${judged})`,
      );
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'serve') await serve(process.argv[3] as Mode);
  else await main();
}

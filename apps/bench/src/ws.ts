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
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';
import { interleaved, type LoadResult, measureLoad, median } from './measure.js';
import { pin } from './pinning.js';

const MODES = ['hand-written', 'faultline'] as const;
type Mode = (typeof MODES)[number];
const DURATION_MS = Number(process.env.BENCH_DURATION ?? 4) * 1000;
const CLIENTS = 32;

async function serve(mode: Mode): Promise<void> {
  const { FaultError } = await import('@faultline/core');
  const { createWsAdapter } = await import('@faultline/ws');
  const adapter = createWsAdapter();
  const server = createServer();
  const wss = new WebSocketServer({ server });
  const head = '{"error":{"status":400,"code":"VALIDATION_FAILED","message":"The request is invalid.","request_id":"';
  wss.on('connection', (socket) => {
    if (mode === 'faultline') {
      socket.on(
        'message',
        adapter.message(socket, () => {
          throw FaultError.of('validation');
        }),
      );
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
  process.send?.({ port: (server.address() as { port: number }).port });
  process.on('disconnect', () => process.exit(0)); // the parent was killed: do not stay behind
  process.on('message', () => {
    for (const client of wss.clients) client.terminate();
    server.close(() => process.exit(0));
  });
}

async function load(port: number, durationMs: number): Promise<number> {
  let roundTrips = 0;
  const deadline = Date.now() + durationMs;
  await Promise.all(
    Array.from(
      { length: CLIENTS },
      () =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
          ws.on('open', () => ws.send('x'));
          ws.on('message', () => {
            roundTrips += 1;
            if (Date.now() < deadline) ws.send('x');
            else ws.close();
          });
          ws.on('close', () => resolve());
          ws.on('error', () => resolve());
        }),
    ),
  );
  return roundTrips;
}

function measure(mode: Mode): Promise<LoadResult<Mode>> {
  return measureLoad(fileURLToPath(import.meta.url), mode, DURATION_MS, load);
}

async function main(): Promise<void> {
  pin(process.pid, 1); // the load generator (this process) on core 1, servers on core 0
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const samples = await interleaved(MODES, rounds, measure);
  const rows = MODES.map((mode) => {
    const list = samples.get(mode) ?? [];
    return { mode, rate: median(list.map((s) => s.rate)), cpuUs: median(list.map((s) => s.cpuUs)) };
  });
  console.log(
    `\nWebSocket error frames: ${CLIENTS} clients, one message in flight each, ${DURATION_MS / 1000}s x ${rounds} interleaved rounds (medians)`,
  );
  console.log(`${'mode'.padEnd(14)} ${'round trips/s'.padStart(14)} ${'server CPU us/frame'.padStart(20)}`);
  for (const r of rows)
    console.log(`${r.mode.padEnd(14)} ${r.rate.toFixed(0).padStart(14)} ${r.cpuUs.toFixed(1).padStart(20)}`);
  const [hand, faultline] = rows;
  if (hand && faultline) {
    const ratio = faultline.rate / hand.rate;
    const cpuRatio = hand.cpuUs / faultline.cpuUs;
    console.log(
      `\nfaultline / hand-written: ${ratio.toFixed(2)}x round trips/s, ${cpuRatio.toFixed(2)}x by server CPU (goal >= 0.95x: ${ratio >= 0.95 ? 'met' : 'NOT met'} by rate, ${cpuRatio >= 0.95 ? 'met' : 'NOT met'} by CPU)`,
    );
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as Mode);
else await main();

/**
 * gRPC benchmark, side by side in one run: a unary method whose handler fails with
 * `callback(new Error(...))`, served with grpc-js's default error handling and with Faultline
 * (wrapped handlers, guarded decoding, server interceptor, google.rpc.Status details), plus the
 * success path. Each server runs in its own child process on 127.0.0.1; the parent drives a
 * bounded number of concurrent calls with a grpc-js client and reports calls/s, the server's
 * CPU microseconds and heap bytes per call, in both GC states (`gc-state.ts`).
 */

import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { answerParent } from './child-server.js';
import { benchStates, measureRounds, type StateRun } from './gc-state.js';
import { median } from './measure.js';
import { pin } from './pinning.js';
import { BENCH_SERVICE, listenGrpc } from './ratio-servers.js';

const MODES = ['success', 'default-error', 'faultline-error'] as const;
type Mode = (typeof MODES)[number];
const DURATION_MS = Number(process.env.BENCH_DURATION ?? 4) * 1000;
const CONCURRENCY = 64;

const Service: ServiceDefinition = BENCH_SERVICE;

async function serve(mode: Mode): Promise<void> {
  const fail = mode !== 'success';
  const implementation = {
    get(_call: unknown, callback: (error: unknown, value?: unknown) => void) {
      if (fail) callback(new Error('connect to db.internal:5432 failed for user app'));
      else callback(null, { id: 1, reference: 'A-1' });
    },
  } as unknown as UntypedServiceImplementation;
  const { port } = await listenGrpc(mode === 'faultline-error', Service, implementation);
  answerParent(port);
}

type Get = (request: unknown, metadata: Metadata, options: object, callback: (error: unknown) => void) => void;

async function load(port: number, durationMs: number): Promise<number> {
  const Client = makeGenericClientConstructor(Service, 'Orders');
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as {
    get: Get;
    close(): void;
  };
  let completed = 0;
  const deadline = Date.now() + durationMs;
  const worker = async () => {
    while (Date.now() < deadline) {
      await new Promise<void>((resolve) => client.get({ id: 1 }, new Metadata(), {}, () => resolve()));
      completed += 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  client.close();
  return completed;
}

async function main(): Promise<void> {
  pin(process.pid, 1); // the load generator (this process) on core 1, servers on core 0
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const states = benchStates();
  const runs = await measureRounds(fileURLToPath(import.meta.url), MODES, states, rounds, DURATION_MS, load);
  console.log(
    `\ngRPC unary: ${CONCURRENCY} concurrent calls, ${DURATION_MS / 1000}s x ${rounds} interleaved rounds (medians), server in its own process, load average ${loadavg()[0]?.toFixed(2)}`,
  );
  console.log(
    `${'state'.padEnd(6)} ${'mode'.padEnd(18)} ${'calls/s'.padStart(9)} ${'x success'.padStart(10)} ${'server CPU us/call'.padStart(19)} ${'heap B/call'.padStart(12)}`,
  );
  for (const state of states) {
    const med = (mode: Mode, pick: (r: StateRun) => number) => median((runs.get(`${state}:${mode}`) ?? []).map(pick));
    for (const mode of MODES) {
      console.log(
        `${state.padEnd(6)} ${mode.padEnd(18)} ${med(mode, (r) => r.rate)
          .toFixed(0)
          .padStart(9)} ${(med(mode, (r) => r.rate) / med('success', (r) => r.rate)).toFixed(2).padStart(10)} ${med(
          mode,
          (r) => r.cpuUs,
        )
          .toFixed(1)
          .padStart(19)} ${med(mode, (r) => r.bytesPerOp)
          .toFixed(0)
          .padStart(12)}`,
      );
    }
    const f = (pick: (r: StateRun) => number) => med('faultline-error', pick);
    const d = (pick: (r: StateRun) => number) => med('default-error', pick);
    console.log(
      `${state.padEnd(6)} faultline / default error path: ${(f((r) => r.rate) / d((r) => r.rate)).toFixed(2)}x calls/s, ${(d((r) => r.cpuUs) / f((r) => r.cpuUs)).toFixed(2)}x by server CPU per call`,
    );
  }
}

if (process.argv[2] === 'serve') await serve(process.argv[3] as Mode);
else await main();

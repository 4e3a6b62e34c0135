/**
 * Instructions each gRPC call costs the server, counted by valgrind's callgrind, so the figure
 * does not move with the machine's load or its garbage-collection threads (issue 22, item 4). Each
 * `bench:ratios` gRPC mode runs in its own process under callgrind with `--single-threaded` (the
 * collector's work is on the counted thread): warmed up with W calls, counters zeroed, then M calls
 * counted, one stream in flight over one connection (h2load). Prints instructions per call and
 * the plain server of the same outcome over each mode (`grpc-plain-ok` for the success modes,
 * `grpc-plain-error` for the others), the ratio the throughput rows of `bench:ratios` compare.
 *
 * `node dist/grpc-instructions.js` (from apps/bench, after the build; needs valgrind). Slow: about
 * two minutes a mode with the defaults. GRPC_INSTRUCTIONS_MODES (comma-separated) picks the modes,
 * GRPC_INSTRUCTIONS_WARM (default 4000) and GRPC_INSTRUCTIONS_CALLS (default 1000) the counts.
 */
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRPC_COUNT_MODES, grpcCalls } from './grpc-load.js';
import type { ServerMode } from './ratio-servers.js';

const modes = (process.env.GRPC_INSTRUCTIONS_MODES?.split(',') ?? GRPC_COUNT_MODES) as ServerMode[];
const warm = Number(process.env.GRPC_INSTRUCTIONS_WARM ?? 4000);
const calls = Number(process.env.GRPC_INSTRUCTIONS_CALLS ?? 1000);
const ratios = fileURLToPath(new URL('./ratios.js', import.meta.url));

/** Sends `count` calls of the bench method over one connection, one in flight; resolves with those that succeeded. */
const send = (port: number, count: number) => grpcCalls(port, count);

/** The instructions callgrind counted after its counters were zeroed (the second dump's `summary:`). */
function countedInstructions(outFile: string): number {
  return Number(/^summary: (\d+)$/m.exec(readFileSync(`${outFile}.1`, 'utf8'))?.[1] ?? Number.NaN);
}

/** Instructions per counted call of `mode`, and the calls that succeeded. */
async function measureMode(mode: ServerMode, dir: string): Promise<{ perCall: number; done: number }> {
  const outFile = join(dir, `callgrind.${mode}`);
  const child = fork(ratios, ['serve', mode], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    execPath: 'valgrind',
    execArgv: [
      '--tool=callgrind',
      `--callgrind-out-file=${outFile}`,
      '--smc-check=all-non-file',
      process.execPath,
      '--single-threaded',
      '--expose-gc',
    ],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`${mode}: the server exited (${code}) before listening`)));
    });
    await send(port, warm);
    execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
    const done = await send(port, calls);
    execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
    return { perCall: countedInstructions(outFile) / Math.max(1, done), done };
  } finally {
    if (child.exitCode === null) {
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
}

const dir = mkdtempSync(join(tmpdir(), 'faultline-callgrind-'));
console.log(`gRPC instructions per call (callgrind, --single-threaded): ${warm} calls of warm-up, ${calls} counted`);
console.log(`${'mode'.padEnd(26)} ${'per call'.padStart(10)} ${'plain / mode'.padStart(12)}`);
const measured = new Map<ServerMode, number>();
try {
  for (const mode of modes) {
    const { perCall, done } = await measureMode(mode, dir);
    measured.set(mode, perCall);
    const plain = measured.get(mode.endsWith('-ok') ? 'grpc-plain-ok' : 'grpc-plain-error');
    const ratio = plain === undefined ? '-' : (plain / perCall).toFixed(3);
    console.log(`${mode.padEnd(26)} ${perCall.toFixed(0).padStart(10)} ${ratio.padStart(12)}   (${done} calls)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * `bench:ws-instructions` (issue 22): instructions each WebSocket error frame costs the server,
 * counted by valgrind's callgrind, so the figure does not move with the machine's load or its
 * garbage-collection threads. Each `bench:ws` server (`ws.js serve <mode>`) runs in its own
 * process under callgrind with `--single-threaded` (the collector's work is on the counted
 * thread): warmed up with W frames, counters zeroed, then windows of F frames counted, one client
 * with one message in flight, until two windows in a row agree within 1.5% (under callgrind V8
 * still compiles hot functions well after 30,000 frames: a window with TurboFan compiles in it
 * counted 40% more, measured). Prints instructions per frame of the last window and the
 * hand-written frame's over each mode (the ratio `bench:ws` compares in round trips per second). `faultline` against
 * `faultline-quiet` is the default reporter's share; `faultline-quiet` against `hand-written` is
 * the adapter's and core's.
 *
 * `node dist/ws-instructions.js` (from apps/bench, after the build; needs valgrind). Three to four
 * minutes a mode with the defaults (two cores, shared). WS_INSTRUCTIONS_MODES (comma-separated) picks the modes,
 * WS_INSTRUCTIONS_WARM (default 10000) and WS_INSTRUCTIONS_FRAMES (default 2000, a window) the counts,
 * WS_INSTRUCTIONS_WINDOWS (default 12) the most windows before a mode is reported unsettled,
 * WS_INSTRUCTIONS_ROUNDS (default 1) how many processes a mode is counted in (the median is
 * shown). WS_INSTRUCTIONS_KEEP=<dir> keeps callgrind's files there and runs the servers with
 * `--perf-basic-prof` (and callgrind with `--dump-instr=yes`): `/tmp/perf-<pid>.map` then names the
 * JIT code at each instruction address of the dumps.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dumpedInstructions, startNamedUnderCallgrind } from './callgrind-server.js';
import { median } from './measure.js';
import { type Mode, SERVE_MODES, wsLoad } from './ws.js';

const modes = (process.env.WS_INSTRUCTIONS_MODES?.split(',') ?? SERVE_MODES) as Mode[];
const warm = Number(process.env.WS_INSTRUCTIONS_WARM ?? 10_000);
const frames = Number(process.env.WS_INSTRUCTIONS_FRAMES ?? 2000);
const maxWindows = Math.max(2, Number(process.env.WS_INSTRUCTIONS_WINDOWS ?? 12));
const rounds = Math.max(1, Number(process.env.WS_INSTRUCTIONS_ROUNDS ?? 1));
const keep = process.env.WS_INSTRUCTIONS_KEEP;
const script = fileURLToPath(new URL('./ws.js', import.meta.url));
/** Long enough for any window under callgrind; the windows end on their frame count. */
const WINDOW_MS = 600_000;

/** The instructions callgrind counted in dump `n` (each dump zeroes the counters). */
function countedInstructions(outFile: string, n: number): number {
  return dumpedInstructions(`${outFile}.${n}`);
}

/** True when two windows' counts agree within 1.5%. */
const settled = (a: number, b: number) => Math.abs(a - b) <= 0.015 * Math.min(a, b);

/** Instructions per counted frame of `mode` in one server process, and the frames answered. */
async function measureMode(
  mode: Mode,
  dir: string,
  round: number,
): Promise<{ perFrame: number; done: number; windows: number; settled: boolean }> {
  const outFile = join(dir, `callgrind.${mode}.${round}`);
  const server = await startNamedUnderCallgrind(script, mode, outFile, keep !== undefined);
  try {
    await wsLoad(server.port, WINDOW_MS, 1, warm);
    server.zero();
    let previous = Number.NaN;
    for (let window = 1; ; window += 1) {
      const done = await wsLoad(server.port, WINDOW_MS, 1, frames);
      server.dump();
      const perFrame = countedInstructions(outFile, window) / Math.max(1, done);
      const agreed = settled(previous, perFrame);
      if (agreed || window >= maxWindows) return { perFrame, done, windows: window, settled: agreed };
      previous = perFrame;
    }
  } finally {
    await server.stop();
  }
}

const dir = keep ?? mkdtempSync(join(tmpdir(), 'faultline-ws-callgrind-'));
if (keep !== undefined) mkdirSync(keep, { recursive: true });
console.log(
  `WebSocket instructions per error frame (callgrind, --single-threaded, Node ${process.versions.node}): ${warm} frames of warm-up, windows of ${frames} until two agree (at most ${maxWindows}), one in flight, ${rounds} process(es) a mode`,
);
console.log(`${'mode'.padEnd(22)} ${'per frame'.padStart(10)} ${'hand-written / mode'.padStart(20)}  counts`);
const measured = new Map<Mode, number>();
try {
  for (const mode of modes) {
    const counts: number[] = [];
    const notes: string[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const run = await measureMode(mode, dir, round);
      counts.push(run.perFrame);
      notes.push(`${run.done} frames, window ${run.windows}${run.settled ? '' : ', NOT settled'}`);
    }
    const perFrame = median(counts);
    measured.set(mode, perFrame);
    const floor = measured.get('hand-written');
    const ratio = floor === undefined ? '-' : (floor / perFrame).toFixed(3);
    console.log(
      `${mode.padEnd(22)} ${perFrame.toFixed(0).padStart(10)} ${ratio.padStart(20)}  ${counts.map((c) => c.toFixed(0)).join(' ')} (${notes.join('; ')})`,
    );
  }
} finally {
  if (keep === undefined) rmSync(dir, { recursive: true, force: true });
}

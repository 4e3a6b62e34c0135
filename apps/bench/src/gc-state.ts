/**
 * The two garbage-collection states every ratio row is measured in (issue 22), and the parent
 * side of the allocation counter (`alloc-counter.ts`) that servers run through `answerParent`.
 *
 * - `fresh`: the load starts the moment the server reports its port (V8's young generation is
 *   still at its start-up size, the favourable state);
 * - `idle`: the server sits idle for {@link IDLE_MS} before its warm-up and again between the
 *   warm-up and the measured run. An idle V8 shrinks its young generation and warm-up does not
 *   bring it back, so each byte a request allocates costs more scavenges: the state a service
 *   that was quiet for a moment is in.
 */
import { type ChildServer, cpuSeconds, forkServer } from './measure.js';

/** A garbage-collection state a server is measured in. */
export type GcState = 'fresh' | 'idle';

/** Both states, in the order they are printed. */
export const GC_STATES: readonly GcState[] = ['fresh', 'idle'];

/** How long a server of the idle state sits idle before its warm-up and between runs. */
export const IDLE_MS = 2000;

/** Waits as the state asks before a run (nothing for `fresh`). */
export function settle(state: GcState): Promise<void> {
  return state === 'idle' ? new Promise((resolve) => setTimeout(resolve, IDLE_MS)) : Promise.resolve();
}

/** Sends `message` to the server and resolves with the field `key` of its answer (`NaN` after 2 s). */
function ask(server: ChildServer, message: string, key: string): Promise<number> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(Number.NaN), 2000);
    const onMessage = (answer: unknown) => {
      const value = (answer as Record<string, unknown> | null)?.[key];
      if (typeof value === 'number' || typeof value === 'boolean') done(Number(value));
    };
    const done = (value: number) => {
      clearTimeout(timer);
      server.child.off('message', onMessage);
      resolve(value);
    };
    server.child.on('message', onMessage);
    server.child.send(message);
  });
}

/** Starts the server's allocation counter; resolves once it runs. */
export async function allocationStart(server: ChildServer): Promise<void> {
  await ask(server, 'alloc-start', 'allocStarted');
}

/** Stops the server's allocation counter: the V8 heap bytes it allocated since the start. */
export function allocationStop(server: ChildServer): Promise<number> {
  return ask(server, 'alloc-stop', 'allocBytes');
}

/** Rate, server CPU and allocation of one mode in one GC state. */
export interface StateRun {
  /** Completed operations per second. */
  readonly rate: number;
  /** Server CPU microseconds per operation. */
  readonly cpuUs: number;
  /** Server V8 heap bytes allocated per operation. */
  readonly bytesPerOp: number;
}

/**
 * Forks `script serve <mode>` (a server that answers its parent with `answerParent`), brings it
 * into `state`, warms it up for a second, then runs `load(port, durationMs)` (which returns the
 * operations completed) while counting the server's CPU time and heap allocation.
 */
export async function measureInState(
  script: string,
  mode: string,
  state: GcState,
  durationMs: number,
  load: (port: number, durationMs: number) => Promise<number>,
): Promise<StateRun> {
  const server = await forkServer(script, mode);
  await settle(state);
  await load(server.port, 1000);
  await settle(state);
  await allocationStart(server);
  const cpuBefore = cpuSeconds(server.pid);
  const start = Date.now();
  const completed = await load(server.port, durationMs);
  const elapsed = (Date.now() - start) / 1000;
  const cpu = cpuSeconds(server.pid) - cpuBefore;
  const bytes = await allocationStop(server);
  await server.stop();
  const per = Math.max(1, completed);
  return { rate: completed / elapsed, cpuUs: (cpu * 1e6) / per, bytesPerOp: bytes / per };
}

/** The GC states a bench runs in: the known ones in `BENCH_STATES` (comma-separated), else both. */
export function benchStates(): GcState[] {
  return (process.env.BENCH_STATES ?? GC_STATES.join(','))
    .split(',')
    .filter((s): s is GcState => (GC_STATES as readonly string[]).includes(s));
}

/**
 * Every mode in every state, `rounds` times interleaved (round by round, so drift spreads over
 * all modes): the runs keyed `state:mode`.
 */
export async function measureRounds(
  script: string,
  modes: readonly string[],
  states: readonly GcState[],
  rounds: number,
  durationMs: number,
  load: (port: number, durationMs: number) => Promise<number>,
): Promise<Map<string, StateRun[]>> {
  const runs = new Map<string, StateRun[]>();
  for (let round = 0; round < rounds; round += 1)
    for (const state of states)
      for (const mode of modes) {
        const key = `${state}:${mode}`;
        runs.set(key, [...(runs.get(key) ?? []), await measureInState(script, mode, state, durationMs, load)]);
      }
  return runs;
}

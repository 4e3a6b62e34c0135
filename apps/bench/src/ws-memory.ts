/**
 * `bench:ws-memory` (issue 21): where the ws server's memory goes under load, beyond `bench:memory`'s
 * RSS figure. The ws server of `bench:memory` (same messages: `ok` echoed, `fail` a pg error,
 * `other` unknown, `text` a thrown string) wired as `stock`, `defaults` (default reporter),
 * `quiet` (`reporter: false`), `file` (a reporter writing to a file), `loaded` (stock, Faultline imported but unused) or `ballast` (stock holding
 * 0.5 MiB more heap: the control of how close stock sits to a young-generation doubling), loaded
 * with WS_MEMORY_OPS (default 20,000) operations from 8 clients: `mixed` (bench:memory's load) or one kind only
 * (`fail`, ...). After the load and two forced collections: RSS, the young generation's size (the
 * space V8 reserves, and the part of it resident), old space, and what survived the load's
 * scavenges (bytes left in the young generation plus bytes promoted, per scavenge, from
 * `v8.GCProfiler`); then where the RSS lies: V8's heap committed and resident (by space), the
 * external memory V8 knows of, and the RSS outside V8's heap. WS_MEMORY_VARIANTS and WS_MEMORY_LOADS (comma-separated) pick the runs;
 * WS_MEMORY_ROUNDS (default 1) repeats them (medians). WS_MEMORY_SITES=N prints, per run, the N
 * allocation sites whose objects outlived a scavenge (V8's sampling heap profiler keeping the
 * samples that no scavenge collected), in bytes per operation.
 */
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { median } from './measure.js';
import { mixedLoad } from './memory-load.js';
import { type Figures, VARIANTS, type Variant } from './ws-memory-server.js';

const OPS = Number(process.env.WS_MEMORY_OPS ?? 20_000);
const ROUNDS = Number(process.env.WS_MEMORY_ROUNDS ?? 1);
const CLIENTS = 8;
const LOAD_TIMEOUT_MS = 60_000;

/** CLIENTS sockets sending `{kind}` one at a time (reconnecting after a close) until `total` are answered. */
async function kindLoad(port: number, kind: string, total: number, deadline: number): Promise<number> {
  let sent = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (sent < total && Date.now() < deadline) {
      sent += 1;
      const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
      await new Promise<void>((settle) => {
        let settled = false;
        const resolve = () => {
          settled = true;
          settle();
        };
        const next = () => {
          if (sent < total && Date.now() < deadline && socket.readyState === WebSocket.OPEN) {
            sent += 1;
            socket.send(JSON.stringify({ kind }));
          } else resolve();
        };
        socket.on('open', () => socket.send(JSON.stringify({ kind })));
        socket.on('message', () => {
          done += 1;
          next();
        });
        socket.on('close', () => {
          if (settled) return;
          done += 1;
          resolve();
        });
        socket.on('error', () => resolve());
      });
      socket.close();
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, lane));
  return done;
}

async function run(variant: Variant, load: string): Promise<Figures> {
  const child = fork(fileURLToPath(new URL('./ws-memory-server.js', import.meta.url)), [variant], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    execArgv: ['--expose-gc'],
  });
  const next = <T>(key: string) =>
    new Promise<T>((resolve) => {
      const on = (m: unknown) => {
        if ((m as Record<string, unknown>)[key] === undefined) return;
        child.off('message', on);
        resolve(m as T);
      };
      child.on('message', on);
    });
  const { port } = await next<{ port: number }>('port');
  const started = next('started');
  child.send('start');
  await started;
  const deadline = Date.now() + LOAD_TIMEOUT_MS;
  const done =
    load === 'mixed' ? await mixedLoad('ws', port, OPS, LOAD_TIMEOUT_MS) : await kindLoad(port, load, OPS, deadline);
  if (done < OPS) console.log(`  (${variant} ${load}: ${done} of ${OPS} operations within the time bound)`);
  const figures = next<Figures>('rss');
  child.send('stop');
  const result = await figures;
  child.kill();
  return result;
}

async function main(): Promise<void> {
  const variants = (process.env.WS_MEMORY_VARIANTS?.split(',') ?? VARIANTS) as Variant[];
  const loads = process.env.WS_MEMORY_LOADS?.split(',') ?? ['mixed', 'fail'];
  console.log(
    `bench:ws-memory: ${OPS} operations from ${CLIENTS} clients, median of ${ROUNDS}; load average ${loadavg()[0]?.toFixed(2)}`,
  );
  console.log(
    `${'load'.padEnd(6)} ${'server'.padEnd(9)} ${'RSS MiB'.padStart(8)} ${'heap'.padStart(6)} ${'young'.padStart(6)} ${'resident'.padStart(9)} ${'old'.padStart(6)} ${'KB survived/scavenge'.padStart(21)} ${'scavenges'.padStart(10)} ${'KB alloc/op'.padStart(12)}`,
  );
  for (const load of loads) {
    const runs = new Map<Variant, Figures[]>();
    for (let round = 0; round < ROUNDS; round += 1)
      for (const variant of variants) runs.set(variant, [...(runs.get(variant) ?? []), await run(variant, load)]);
    for (const [variant, list] of runs) {
      const m = (pick: (f: Figures) => number, digits = 1) => median(list.map(pick)).toFixed(digits);
      console.log(
        `${load.padEnd(6)} ${variant.padEnd(9)} ${m((f) => f.rss).padStart(8)} ${m((f) => f.heap).padStart(6)} ${m((f) => f.young, 0).padStart(6)} ${m((f) => f.youngResident).padStart(9)} ${m((f) => f.old).padStart(6)} ${m((f) => f.survivedPerScavenge).padStart(21)} ${m((f) => f.scavenges, 0).padStart(10)} ${m((f) => (f.allocated * 1024) / OPS, 2).padStart(12)}`,
      );
      console.log(`  threads after the load: ${list.map((f) => f.threads).join(', ')}`);
      console.log(
        `  young generation at the start ${list.map((f) => f.youngAtStart).join(', ')} MiB; grew ${list.map((f) => f.growth || '-').join('; ')}`,
      );
      if (process.env.WS_MEMORY_TRACE === '1')
        for (const f of list) console.log(`  KB surviving each scavenge: ${f.perScavenge.join(' ')}`);
      const spaces = (list[0]?.spaces ?? []).map(([name, size]) => `${name} ${size.toFixed(1)}`).join(', ');
      console.log(
        `  heap committed ${m((f) => f.committed)}, resident ${m((f) => f.resident)}; external ${m((f) => f.external)} (array buffers ${m((f) => f.arrayBuffers)}); RSS outside the heap ${m((f) => f.rss - f.resident)}; resident by space (first round): ${spaces}`,
      );
      for (const [site, bytes] of list[0]?.sites ?? [])
        console.log(`  ${(bytes / OPS).toFixed(0).padStart(6)} B/op  ${site}`);
    }
  }
}

await main();

/**
 * `bench:edge-instructions` (issues 12 and 22): instructions the gateway runs per request, counted
 * by valgrind's callgrind, so the figure does not move with the machine's load (`bench:edge`'s
 * throughput ratio does, on a shared machine). The generated and the bare HAProxy and nginx of
 * `bench:edge` (`edge-gateways.ts`), each in front of the same Faultline service, on its error
 * route (`/fail`, a 409 in the application's type) and its success route (`/ok`, a 200 JSON): one
 * gateway process (HAProxy with one thread, nginx with `master_process off`) per gateway and route
 * under callgrind, warmed up with W requests, counters zeroed, then N requests counted (C
 * keep-alive connections), the count divided by N. Prints instructions per request, and generated
 * minus bare: what the generated configuration costs.
 *
 * `node dist/edge-instructions.js` (from apps/bench, after the build; needs valgrind, haproxy and
 * nginx). EDGE_INSTRUCTIONS_GATEWAYS (default `haproxy,nginx`) picks the gateways,
 * EDGE_INSTRUCTIONS_WARM (default 500), EDGE_INSTRUCTIONS_REQUESTS (default 3000),
 * EDGE_INSTRUCTIONS_CONNECTIONS (default 10), EDGE_INSTRUCTIONS_ROUTES (default `/fail,/ok`);
 * EDGE_INSTRUCTIONS_KEEP=<dir> keeps the configurations and callgrind's files there (for
 * `callgrind_annotate`).
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNginx } from '@faultline/edge';
import { freePort, waitForPort } from '@faultline/testkit/ports';
import { dumpedInstructions } from './callgrind-server.js';
import { bareHaproxyConfig, generatedHaproxyConfig, writeBareNginx } from './edge-gateways.js';
import { forkServer } from './measure.js';

const warm = Number(process.env.EDGE_INSTRUCTIONS_WARM ?? 500);
const requests = Number(process.env.EDGE_INSTRUCTIONS_REQUESTS ?? 3000);
const connections = Number(process.env.EDGE_INSTRUCTIONS_CONNECTIONS ?? 10);
const gateways = (process.env.EDGE_INSTRUCTIONS_GATEWAYS ?? 'haproxy,nginx').split(',');
const routes = (process.env.EDGE_INSTRUCTIONS_ROUTES ?? '/fail,/ok').split(',');
const keep = process.env.EDGE_INSTRUCTIONS_KEEP;
const ratiosScript = new URL('./ratios.js', import.meta.url).pathname;

/** Sends `count` GET requests to `url` over `connections` keep-alive connections; resolves with the statuses seen. */
async function load(url: string, count: number): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const statuses = new Map<number, number>();
  let sent = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(url, { agent }, (res) => {
        statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
        res.resume();
        res.once('end', resolve);
      });
      req.once('error', reject);
      req.end();
    });
  const worker = async () => {
    while (sent < count) {
      sent += 1;
      await one();
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, worker));
  } finally {
    agent.destroy();
  }
  return statuses;
}

/** How to start one gateway: its command line (run under callgrind) for a port. */
type Start = (port: number, dir: string, name: string) => readonly string[];

/** HAProxy with `config` (one thread). */
const haproxy =
  (config: (port: number) => string): Start =>
  (port, dir, name) => {
    const conf = join(dir, `${name}.cfg`);
    writeFileSync(conf, config(port).replace(/^global\n/m, 'global\n  nbthread 1\n'));
    return ['haproxy', '-db', '-f', conf];
  };

/** nginx in the directory `write` fills (`nginx.conf`), in one process. */
const nginx =
  (write: (port: number) => string): Start =>
  (port) => {
    const dir = write(port);
    return ['nginx', '-e', 'stderr', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off; master_process off;'];
  };

/** Starts `command` under callgrind; returns its child and its out file. */
function startCounted(command: readonly string[], dir: string, name: string): { child: ChildProcess; outFile: string } {
  const outFile = join(dir, `callgrind.${name}`);
  const log = openSync(join(dir, `${name}.log`), 'a');
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${outFile}`, ...command], {
    stdio: ['ignore', log, 'ignore'],
  });
  return { child, outFile };
}

/** Instructions per request of `config` on `route` (and the statuses answered). */
async function measure(
  name: string,
  start: Start,
  route: string,
  dir: string,
): Promise<{ perRequest: number; statuses: Map<number, number> }> {
  const port = await freePort();
  const { child, outFile } = startCounted(start(port, dir, name), dir, name);
  const control = (flag: string) => execFileSync('callgrind_control', [flag, String(child.pid)], { stdio: 'ignore' });
  try {
    await waitForPort(port, 60_000);
    await load(`http://127.0.0.1:${port}${route}`, warm);
    control('-z');
    const statuses = await load(`http://127.0.0.1:${port}${route}`, requests);
    control('-d');
    return { perRequest: dumpedInstructions(`${outFile}.1`) / requests, statuses };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // valgrind passes the signal on: HAProxy stops on SIGUSR1, nginx on SIGQUIT (both gracefully).
    child.kill(name.includes('haproxy') ? 'SIGUSR1' : 'SIGQUIT');
    await exited;
  }
}

const server = await forkServer(ratiosScript, 'http-faultline-error');
const dir = keep ?? mkdtempSync(join(tmpdir(), 'faultline-edge-callgrind-'));
try {
  console.log(`edge instructions: ${warm} warm-up, ${requests} counted requests, ${connections} connections`);
  const starts: Record<string, readonly [Start, Start]> = {
    haproxy: [
      haproxy((port) => bareHaproxyConfig(server.port, port)),
      haproxy((port) => generatedHaproxyConfig(server.port, port)),
    ],
    nginx: [
      nginx((port) => writeBareNginx(server.port, port)),
      nginx((port) => {
        const nginxDir = mkdtempSync(join(dir, 'nginx-'));
        writeNginx(nginxDir, {
          upstreams: [`127.0.0.1:${server.port}`],
          listen: `127.0.0.1:${port}`,
          accessLog: join(nginxDir, 'access.log'),
        });
        return nginxDir;
      }),
    ],
  };
  const statuses = (s: Map<number, number>) => [...s].map(([status, n]) => `${n}x${status}`).join(' ');
  for (const gateway of gateways)
    for (const route of routes) {
      const [bareStart, generatedStart] = starts[gateway] ?? [];
      if (bareStart === undefined || generatedStart === undefined) throw new Error(`bench: no gateway ${gateway}`);
      const tag = `${gateway}-${route.replace(/\W/g, '')}`;
      const bare = await measure(`bare-${tag}`, bareStart, route, dir);
      const generated = await measure(`generated-${tag}`, generatedStart, route, dir);
      console.log(
        `${gateway.padEnd(8)}${route.padEnd(6)} bare ${bare.perRequest.toFixed(0)} instr/request (${statuses(bare.statuses)}), generated ${generated.perRequest.toFixed(0)} (${statuses(generated.statuses)}): ${(generated.perRequest - bare.perRequest).toFixed(0)} more, generated/bare ${(generated.perRequest / bare.perRequest).toFixed(3)}`,
      );
    }
} finally {
  await server.stop();
  if (keep === undefined) rmSync(dir, { recursive: true, force: true });
}

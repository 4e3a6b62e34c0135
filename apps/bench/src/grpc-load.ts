/** gRPC load for the benches: h2load sending the bench method's request as real gRPC calls. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { h2load } from './pinning.js';
import type { ServerMode } from './ratio-servers.js';

/** The gRPC servers the by-count benches (`bench:grpc-bytes`, `bench:grpc-instructions`) compare by default. */
export const GRPC_COUNT_MODES: readonly ServerMode[] = [
  'grpc-plain-error',
  'grpc-plain-error-trailers',
  'grpc-faultline-error',
  'grpc-plain-ok',
  'grpc-faultline-ok',
];

let bodyFile: string | undefined;

/** A file holding one gRPC length-prefixed frame of the bench request (`{"id":1}`), written once. */
export function grpcBody(): string {
  if (bodyFile !== undefined) return bodyFile;
  const message = Buffer.from(JSON.stringify({ id: 1 }));
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  bodyFile = join(mkdtempSync(join(tmpdir(), 'faultline-h2load-')), 'get.bin');
  writeFileSync(bodyFile, frame);
  return bodyFile;
}

/**
 * Calls `/bench.Orders/Get` on 127.0.0.1:`port` for `seconds` over `clients` connections (default
 * one) with 50 concurrent streams in all (h2load on core 1); returns the calls completed.
 */
export async function grpcLoad(port: number, seconds: number, clients = 1): Promise<number> {
  const result = await h2load(`http://127.0.0.1:${port}/bench.Orders/Get`, seconds, {
    clients,
    streams: Math.max(1, Math.round(50 / clients)),
    bodyFile: grpcBody(),
    headers: ['content-type: application/grpc', 'te: trailers'],
  });
  return result.requests;
}

/**
 * Sends `count` calls of `/bench.Orders/Get` to 127.0.0.1:`port` over one connection with
 * `streams` in flight (h2load, on `core` when given); resolves with the calls that succeeded.
 */
export function grpcCalls(port: number, count: number, streams = 1, core?: number): Promise<number> {
  const args = [`-n${count}`, '-c1', `-m${streams}`, '-d', grpcBody(), '-H', 'content-type: application/grpc'];
  args.push('-H', 'te: trailers', `http://127.0.0.1:${port}/bench.Orders/Get`);
  const [command, argv] = core === undefined ? ['h2load', args] : ['taskset', ['-c', String(core), 'h2load', ...args]];
  return new Promise((resolve, reject) =>
    execFile(command, argv, { timeout: 1_800_000 }, (error, stdout) => {
      if (error !== null) reject(error);
      else resolve(Number(/(\d+) succeeded/.exec(stdout)?.[1] ?? 0));
    }),
  );
}

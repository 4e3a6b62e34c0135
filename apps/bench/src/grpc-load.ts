/** gRPC load for the benches: h2load sending the bench method's request as real gRPC calls. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { h2load } from './pinning.js';

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

import { decodeStatusDetails } from '@faultline/core/grpc';
import { Client, credentials, type Metadata, type Server, type ServiceError } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { floorImplementation, GRPC_FLOOR_MODES, type GrpcFloorMode } from '../src/grpc-floors.js';
import { BENCH_SERVICE, listenGrpc } from '../src/ratio-servers.js';

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.forceShutdown();
});

/** The status a real grpc-js client receives from the floor-like server of `mode`. */
async function callFloor(mode: GrpcFloorMode): Promise<ServiceError> {
  const { server, port } = await listenGrpc(false, BENCH_SERVICE, await floorImplementation(mode));
  servers.push(server);
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  try {
    return await new Promise<ServiceError>((resolve, reject) =>
      client.makeUnaryRequest(
        '/bench.Orders/Get',
        (v: unknown) => Buffer.from(JSON.stringify(v)),
        (b: Buffer) => b,
        { id: 1 },
        { deadline: Date.now() + 5000 },
        (error) => (error === null ? reject(new Error('the call succeeded')) : resolve(error)),
      ),
    );
  } finally {
    client.close();
  }
}

const detailsOf = (metadata: Metadata) => metadata.get('grpc-status-details-bin')[0] as Buffer | undefined;

describe('floor-like gRPC servers (issue 22, item 4)', () => {
  it('send the id in x-request-id and, but for id-only, a rich status carrying the same id', async () => {
    for (const mode of GRPC_FLOOR_MODES) {
      const error = await callFloor(mode);
      const id = error.metadata.get('x-request-id')[0];
      expect(typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id), mode).toBe(true);
      const details = detailsOf(error.metadata);
      if (mode === 'grpc-floor-id-only') {
        expect(details).toBeUndefined();
        continue;
      }
      const decoded = decodeStatusDetails(details as Buffer);
      expect(decoded, mode).toMatchObject({ code: error.code, message: error.details, requestId: id });
      expect(decoded?.reason, mode).toBe('CONFLICT');
    }
  });

  it('short: the id once (RequestInfo), 51 bytes fewer than the full shape', async () => {
    const full = await callFloor('grpc-floor-strings');
    const short = await callFloor('grpc-floor-short');
    const fullBytes = detailsOf(full.metadata) as Buffer;
    const shortBytes = detailsOf(short.metadata) as Buffer;
    expect(decodeStatusDetails(shortBytes)?.params).toEqual({});
    expect(fullBytes.length - shortBytes.length).toBe(51);
    const id = String(short.metadata.get('x-request-id')[0]);
    expect(shortBytes.toString('latin1').split(id).length - 1).toBe(1);
    expect(fullBytes.toString('latin1').split(String(full.metadata.get('x-request-id')[0])).length - 1).toBe(2);
  });
});

/**
 * Red team, gRPC and WebSocket: leaks in initial metadata, success trailers, the rich status, a
 * base64 metadata value and a stream's later error; in a 101 answer's fields, a refused valid
 * handshake, ping and pong payloads and a second bad message. Each is reported under its rule and
 * severity, and servers that use the same channels cleanly (request ids in metadata, a rich status
 * with a field violation, pings, fields on the 101, a clean refusal) leak nothing the probe reports.
 * Every run goes at once (they wait on sessions, not on the CPU).
 */
import { createServer, type Server as HttpServer } from 'node:http';
import { Metadata, Server, ServerCredentials, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type RunResult, runProbe } from '../src/index.js';
import { parseTarget } from '../src/target.js';
import { type LeakyTarget, missed, portOf } from './leaky/planted.js';
import { debugStatus, RED_TEAM_GRPC_PLANTED, redTeamGrpc } from './leaky/red-team-grpc.js';
import { RED_TEAM_WS_PLANTED, redTeamWs } from './leaky/red-team-ws.js';

const CLEAN_METHOD = '/redteam.Clean/Get';

/** A grpc-js server answering INVALID_ARGUMENT with request ids in its metadata and a rich status. */
async function cleanGrpc(): Promise<{ port: number; close: () => void }> {
  const server = new Server();
  const raw = (b: Buffer) => b;
  const codec = { requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw };
  server.addService({ Get: { path: CLEAN_METHOD, requestStream: false, responseStream: false, ...codec } }, {
    Get: (call: { sendMetadata(md: Metadata): void }, callback: (error: object) => void) => {
      const id = new Metadata();
      id.set('x-request-id', crypto.randomUUID());
      call.sendMetadata(id);
      const trailers = new Metadata();
      trailers.set('x-request-id', crypto.randomUUID());
      trailers.set('grpc-status-details-bin', debugStatus('The request is invalid.', ['id: must be a number']));
      callback({ code: status.INVALID_ARGUMENT, details: 'The request is invalid.', metadata: trailers });
    },
  } as unknown as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port, close: () => server.forceShutdown() };
}

/** A ws server that pings, sets a request id on its 101, and refuses other paths with problem JSON. */
async function cleanWs(): Promise<{ server: HttpServer; close: () => Promise<void> }> {
  const server = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ noServer: true });
  wss.on('headers', (headers) => headers.push(`X-Request-ID: ${crypto.randomUUID()}`));
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    if (req.url !== '/live') {
      const body = '{"type":"about:blank","title":"Unauthorized","status":401}';
      const type = 'content-type: application/problem+json';
      socket.end(`HTTP/1.1 401 Unauthorized\r\n${type}\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      ws.on('message', () => {
        ws.ping('keepalive');
        ws.send('{"error":{"code":"VALIDATION_FAILED","message":"The message is invalid."}}');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const leaks = (result: RunResult) => result.findings.filter((f) => f.rule.startsWith('leak/'));
const options = { noDiscovery: true, timeoutMs: 20_000 } as const;

describe('red team gRPC and WebSocket', () => {
  let grpc: LeakyTarget;
  let ws: LeakyTarget;
  let clean: { grpc: Awaited<ReturnType<typeof cleanGrpc>>; ws: Awaited<ReturnType<typeof cleanWs>> };
  let grpcResult: RunResult;
  let wsResults: RunResult[];
  let cleanResults: RunResult[];
  beforeAll(async () => {
    [grpc, ws] = await Promise.all([redTeamGrpc(), redTeamWs()]);
    clean = { grpc: await cleanGrpc(), ws: await cleanWs() };
    const grpcMethods = grpc.planted.map((p) => p.where);
    const cleanWsUrl = `ws://127.0.0.1:${portOf(clean.ws.server)}`;
    [grpcResult, wsResults, cleanResults] = await Promise.all([
      runProbe(parseTarget(grpc.url, false), { ...options, grpcMethods }),
      // One run a path: the target URL is the ws origin.
      Promise.all(ws.planted.map(({ where }) => runProbe(parseTarget(`${ws.url}${where}`, false), options))),
      Promise.all([
        runProbe(parseTarget(`grpc://127.0.0.1:${clean.grpc.port}`, false), {
          ...options,
          grpcMethods: [CLEAN_METHOD],
        }),
        runProbe(parseTarget(`${cleanWsUrl}/live`, false), options),
        runProbe(parseTarget(`${cleanWsUrl}/socket`, false), options),
      ]),
    ]);
  });
  afterAll(async () => {
    clean.grpc.close();
    await Promise.all([grpc.close(), ws.close(), clean.ws.close()]);
  });

  it.each(RED_TEAM_GRPC_PLANTED)('gRPC $where: reported as $rule ($severity)', (leak) => {
    expect(missed([leak], grpcResult.findings)).toEqual([]);
  });

  it.each(RED_TEAM_WS_PLANTED)('WebSocket $where: reported as $rule ($severity)', (leak) => {
    expect(
      missed(
        [leak],
        wsResults.flatMap((r) => r.findings),
      ),
    ).toEqual([]);
  });

  it('a clean gRPC server (request ids in metadata, a rich status) and a clean ws server leak nothing', () => {
    for (const result of cleanResults) {
      expect(result.answered).toBeGreaterThan(0);
      expect(leaks(result)).toEqual([]);
    }
  });
});

/**
 * A raw `node:http2` server answering each gRPC call trailers-only with the fields its `x-case`
 * metadata names (what a hostile upstream, a proxy or a man in the middle may send), and a real
 * grpc-js client calling it on 127.0.0.1.
 */
import { createServer, type ServerHttp2Stream } from 'node:http2';
import { jsonMethod } from '@faultline/testkit';
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';

/** The running pair: `call(name)` resolves with the `ServiceError` of a call answered with `answers[name]`. */
export interface TrailersServer {
  call(name: string): Promise<ServiceError>;
  close(): void;
}

/** Starts the server and its client; an unknown case is answered `grpc-status: 13`. */
export async function startTrailersServer(
  answers: Readonly<Record<string, Record<string, string | string[]>>>,
): Promise<TrailersServer> {
  const server = createServer();
  server.on('stream', (stream: ServerHttp2Stream, headers) => {
    const answer = answers[String(headers['x-case'])] ?? { 'grpc-status': '13' };
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', ...answer }, { endStream: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const Service = { call: jsonMethod('/hostile.S/Call') };
  const client = new (makeGenericClientConstructor(Service, 'S'))(`127.0.0.1:${port}`, credentials.createInsecure());
  return {
    call(name) {
      const metadata = new Metadata();
      metadata.set('x-case', name);
      return new Promise((resolve) =>
        (client as unknown as { call: (...a: unknown[]) => void }).call({}, metadata, (e: ServiceError) => resolve(e)),
      );
    },
    close() {
      client.close();
      server.close();
    },
  };
}

/** Wire helpers the packages' tests share: one raw HTTP/1.1 exchange, and JSON-coded gRPC methods and services. */
import { connect } from 'node:net';

/**
 * Writes `request` as is to `host`:`port` (127.0.0.1 by default) and resolves with everything the
 * server sent until it closed (or after `timeoutMs`, with what came so far).
 */
export function rawHttpExchange(port: number, request: string, timeoutMs = 5000, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => socket.write(request));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(timeoutMs, () => socket.destroy());
  });
}

const serialize = (value: unknown) => Buffer.from(JSON.stringify(value ?? null));
const deserialize = (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as unknown;

/** A grpc-js method definition whose messages are JSON (what the tests' services use). */
export function jsonMethod(path: string, requestStream = false, responseStream = false) {
  return {
    path,
    requestStream,
    responseStream,
    requestSerialize: serialize,
    requestDeserialize: deserialize,
    responseSerialize: serialize,
    responseDeserialize: deserialize,
  };
}

/** The four grpc-js method kinds: whether the request, and the response, stream. */
const KINDS = { unary: [false, false], serverStream: [false, true], clientStream: [true, false], bidi: [true, true] };

/**
 * A JSON-coded service with one method of each kind, keyed `unary`, `serverStream`,
 * `clientStream` and `bidi`, at `/<name>/Unary`, `/<name>/ServerStream`, … .
 */
export function jsonKindsService(name: string): Record<string, ReturnType<typeof jsonMethod>> {
  return Object.fromEntries(
    Object.entries(KINDS).map(([kind, [requests, responses]]) => [
      kind,
      jsonMethod(`/${name}/${kind.charAt(0).toUpperCase()}${kind.slice(1)}`, requests, responses),
    ]),
  );
}

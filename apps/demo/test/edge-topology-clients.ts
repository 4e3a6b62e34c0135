/**
 * Clients and log readers for the edge topology's tests: a grpc-js client of `demo.Inventory`
 * (through the gateway), Debian's python3-grpcio, a raw HTTP/2 gRPC call from another loopback
 * address (straight to the service, past the gateway), a `ws` client, and the JSON-lines files
 * every part of the topology writes, polled until the line looked for is there.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect as h2connect, type IncomingHttpHeaders } from 'node:http2';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { recordFor } from '@faultline/testkit';
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import WebSocket from 'ws';
import { InventoryService } from '../src/edge/inventory-service-definition.js';

/** The address the "direct" clients connect from: not the gateway's, so not trusted. */
export const CLIENT_ADDRESS = '127.0.0.2';
const RESERVE = '/demo.Inventory/Reserve';

/** The JSON lines of `file` (none while it does not exist). */
export function jsonLines(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The lines of `file` matching `match`, waiting up to 5 s for them (reporters and exporters write asynchronously). */
export async function eventually(file: string, match: (line: Record<string, unknown>) => boolean, count = 1) {
  for (let i = 0; i < 200; i += 1) {
    const found = jsonLines(file).filter(match);
    if (found.length >= count) return found;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return jsonLines(file).filter(match);
}

/** The Faultline record of `id` in `file` (full, or its entry in a compact repeat line), waited for up to 5 s. */
export async function recordOf(file: string, id: unknown): Promise<Record<string, unknown> | undefined> {
  for (let i = 0; i < 200; i += 1) {
    const record = recordFor(jsonLines(file), id);
    if (record !== undefined) return record;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return undefined;
}

/** One `Reserve` call's outcome: the message or the error, and the response headers' `x-request-id`. */
export interface ReserveResult {
  readonly value?: unknown;
  readonly error?: ServiceError;
  readonly headerId?: string | undefined;
}

type ReserveMethod = (
  request: unknown,
  metadata: Metadata,
  options: object,
  done: (error: ServiceError | null, value?: unknown) => void,
) => NodeJS.EventEmitter;

/** A grpc-js client of `demo.Inventory` at `target`: `reserve(reference)` and `close()`. */
export function inventoryClient(target: string) {
  const Client = makeGenericClientConstructor(InventoryService, 'Inventory');
  const client = new Client(target, credentials.createInsecure()) as unknown as {
    reserve: ReserveMethod;
    close(): void;
  };
  const reserve = (reference: string) =>
    new Promise<ReserveResult>((resolve) => {
      let headerId: string | undefined;
      const call = client.reserve({ reference, quantity: 1 }, new Metadata(), { deadline: Date.now() + 5000 }, (e, v) =>
        resolve(e === null ? { value: v, headerId } : { error: e, headerId }),
      );
      call.on('metadata', (headers: Metadata) => {
        headerId = headers.get('x-request-id').map(String)[0];
      });
    });
  return { reserve, close: () => client.close() };
}

const PYTHON = '/usr/bin/python3'; // Debian's interpreter, where python3-grpcio is installed
const pythonClient = fileURLToPath(new URL('./python/inventory_call.py', import.meta.url));

/** What python3-grpcio read for one reference: its code, and the id (response headers, else trailers). */
export interface PythonResult {
  readonly reference: string;
  readonly code: number;
  readonly details?: string;
  readonly id?: string;
}

/** Calls `Reserve` at `target` with python3-grpcio, once per reference. */
export async function pythonReserve(target: string, references: string[]): Promise<PythonResult[]> {
  const { stdout } = await promisify(execFile)(PYTHON, [pythonClient, target, ...references], { timeout: 10_000 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as PythonResult);
}

/**
 * `Reserve` straight to the service on `port` over HTTP/2 from {@link CLIENT_ADDRESS}, with
 * `x-request-id: planted`: the answer's headers and trailers, merged.
 */
export function directReserve(port: number, reference: string, planted: string): Promise<IncomingHttpHeaders> {
  return new Promise((resolve, reject) => {
    const session = h2connect(`http://127.0.0.1:${port}`, {
      createConnection: () => connect({ host: '127.0.0.1', port, localAddress: CLIENT_ADDRESS }),
    });
    session.on('error', reject);
    const body = Buffer.from(JSON.stringify({ reference, quantity: 1 }));
    const frame = Buffer.alloc(5 + body.length);
    frame.writeUInt32BE(body.length, 1);
    body.copy(frame, 5);
    const stream = session.request({
      ':method': 'POST',
      ':path': RESERVE,
      'content-type': 'application/grpc',
      te: 'trailers',
      'x-request-id': planted,
    });
    let answer: IncomingHttpHeaders = {};
    stream.on('response', (headers) => {
      answer = { ...answer, ...headers };
    });
    stream.on('trailers', (trailers) => {
      answer = { ...answer, ...trailers };
    });
    stream.on('close', () => {
      session.close();
      resolve(answer);
    });
    stream.on('error', reject);
    stream.resume();
    stream.end(frame);
  });
}

/** An open ws connection: the 101's `x-request-id`, the welcome's connection id, and the frames after it. */
export interface WsSession {
  readonly socket: WebSocket;
  readonly upgradeId: string | undefined;
  readonly connectionId: string | undefined;
  /** The next frame, parsed. */
  next(): Promise<Record<string, unknown>>;
}

/** Connects to `url` (from `localAddress` when given) and waits for the welcome frame (10 s at most). */
export function openWs(url: string, headers: Record<string, string> = {}, localAddress?: string): Promise<WsSession> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers, ...(localAddress === undefined ? {} : { localAddress }) });
    const frames: Record<string, unknown>[] = [];
    const waiting: ((frame: Record<string, unknown>) => void)[] = [];
    let upgradeId: string | undefined;
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no welcome frame from ${url} within 10 s`));
    }, 10_000);
    socket.on('upgrade', (response) => {
      upgradeId = response.headers['x-request-id'] as string | undefined;
    });
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      const waiter = waiting.shift();
      if (waiter !== undefined) waiter(frame);
      else frames.push(frame);
    });
    const next = () =>
      new Promise<Record<string, unknown>>((take) => {
        const frame = frames.shift();
        if (frame !== undefined) take(frame);
        else waiting.push(take);
      });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void next().then((welcome) => {
      clearTimeout(timer);
      resolve({ socket, upgradeId, connectionId: welcome.connection_id as string | undefined, next });
    });
  });
}

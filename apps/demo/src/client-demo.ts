/**
 * `npm run client --workspace=@faultline/demo`: the calling side. Calls every staged failure of the
 * running demo on HTTP, gRPC and WebSocket and prints what `@faultline/client` decodes: a typed
 * code (the demo catalog's codes are inferred), category, request id, retryability.
 */
import { decodeFault, decodeWsFault, type RemoteFault } from '@faultline/client';
import { decodeGrpcFault } from '@faultline/client/grpc';
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import WebSocket from 'ws';
import { errors } from './catalog.js';
import { OrdersService } from './grpc-service.js';

const port = Number(process.env.PORT ?? 3000);
const base = `http://127.0.0.1:${port}`;
/** The codes of a catalog, from its `has` type guard. */
type CodeOf<C> = C extends { has(code: string): code is infer K extends string } ? K : never;
type DemoFault = RemoteFault<CodeOf<typeof errors>>;

function show(label: string, fault: DemoFault | undefined): void {
  if (fault === undefined) return;
  const retry = fault.retryable
    ? ` retryable${fault.retryAfter === undefined ? '' : ` after ${fault.retryAfter}s`}`
    : '';
  console.log(
    `${label.padEnd(42)} ${fault.protocol.padEnd(4)} ${String(fault.status).padEnd(4)} ${fault.code.padEnd(22)} ${fault.category.padEnd(20)} ${fault.requestId ?? '-'}${retry}`,
  );
}

const http: [string, string, RequestInit?][] = [
  ['catalog 404', '/orders/999'],
  ['validation', '/orders/abc'],
  [
    'pg 23505 conflict',
    '/orders',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reference":"A-1","quantity":1}' },
  ],
  ['connection refused', '/orders/1/invoice'],
  ['timeout', '/reports/daily'],
  ['forbidden', '/admin/orders'],
  ['public parameter (German)', '/orders/1/items', { method: 'POST', headers: { 'accept-language': 'de' } }],
  ['rate limited', '/rate-limited'],
  ['thrown string', '/debug/string'],
  ['hostile object', '/debug/hostile'],
];
for (const [label, path, init] of http) show(label, await decodeFault(await fetch(`${base}${path}`, init), errors));

const Client = makeGenericClientConstructor(OrdersService, 'Orders');
const client = new Client(`127.0.0.1:${port + 2}`, credentials.createInsecure()) as unknown as Record<
  string,
  (request: unknown, metadata: Metadata, callback: (error: ServiceError | null) => void) => void
> & { close(): void };
for (const [label, method, request] of [
  ['gRPC catalog NOT_FOUND', 'getOrder', { id: 999 }],
  ['gRPC pg 23505', 'createOrder', { reference: 'A-1', quantity: 1 }],
  ['gRPC connection refused', 'getInvoice', {}],
] as const) {
  const error = await new Promise<ServiceError | null>((resolve) => client[method]?.(request, new Metadata(), resolve));
  if (error !== null) show(label, decodeGrpcFault(error, errors));
}
client.close();

await new Promise<void>((resolve) => {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws?token=demo`);
  socket.on('open', () => {
    socket.send('{"action":"get","id":999}');
    socket.send('{"action":"invoice"}');
  });
  socket.on('message', (data) => show('WebSocket error frame', decodeWsFault(String(data), errors)));
  socket.on('close', (code, reason) => {
    show('WebSocket close', decodeWsFault({ code, reason: String(reason) }, errors));
    resolve();
  });
});

/**
 * `npm run demo`: the orders service on 127.0.0.1, HTTP/1.1 on PORT (default 3000) and HTTP/2
 * cleartext on PORT+1, printing curl commands that show each failure becoming a safe response.
 */
import { shutdownGracefully } from '@faultline/grpc';
import { startExpress } from './express-app.js';
import { startGrpc } from './grpc-service.js';
import { buildHttpApp } from './http-app.js';
import { closeWebSocketClients } from './shutdown.js';
import { startUpstreams } from './upstreams.js';
import { attachWebSocket } from './ws-endpoint.js';

const port = Number(process.env.PORT ?? 3000);
const host = '127.0.0.1';
const upstreams = await startUpstreams();
const http1 = await buildHttpApp({ upstreams });
const http2 = await buildHttpApp({ upstreams, http2: true });
const wss = attachWebSocket(http1.server, upstreams);
await http1.listen({ port, host });
await http2.listen({ port: port + 1, host });
const { server: grpc } = await startGrpc(port + 2, upstreams);
const expressService = await startExpress(port + 3, host, upstreams);

const base = `http://${host}:${port}`;
const examples = [
  ['found', `curl -i ${base}/orders/1`],
  ['catalog 404', `curl -i ${base}/orders/999`],
  ['validation', `curl -i ${base}/orders/abc`],
  [
    'pg 23505 conflict',
    `curl -i -X POST ${base}/orders -H 'content-type: application/json' -d '{"reference":"A-1","quantity":1}'`,
  ],
  [
    'body validation',
    `curl -i -X POST ${base}/orders -H 'content-type: application/json' -d '{"reference":"<x>","quantity":0}'`,
  ],
  ['malformed JSON', `curl -i -X POST ${base}/orders -H 'content-type: application/json' -d '{"reference":'`],
  ['connection refused', `curl -i ${base}/orders/1/invoice`],
  ['timeout', `curl -i ${base}/reports/daily`],
  ['forbidden', `curl -i ${base}/admin/orders`],
  ['rate limited', `curl -i ${base}/rate-limited`],
  ['public parameter, in German', `curl -i -X POST -H 'accept-language: de' ${base}/orders/1/items`],
  [
    'OpenAPI document and docs pages',
    `curl -s ${base}/openapi.json | head -c 300; curl -s ${base}/errors/order-too-large`,
  ],
  ['thrown string', `curl -i ${base}/debug/string`],
  ['hostile object', `curl -i ${base}/debug/hostile`],
  ['method not allowed', `curl -i -X DELETE ${base}/orders/1`],
  ['HTTP/2', `curl -i --http2-prior-knowledge http://${host}:${port + 1}/orders/999`],
  [
    'WebSocket (error frame, then close 1013)',
    `node -e "const ws=new (require('ws'))('ws://${host}:${port}/ws?token=demo');ws.on('message',m=>console.log(String(m)));ws.on('open',()=>{ws.send('{\\"action\\":\\"get\\",\\"id\\":999}');ws.send('{\\"action\\":\\"invoice\\"}')});ws.on('close',(c,r)=>console.log('close',c,String(r)))"`,
  ],
  [
    'WebSocket upgrade refused (401 problem JSON)',
    `curl -i -H 'Connection: Upgrade' -H 'Upgrade: websocket' -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' http://${host}:${port}/ws`,
  ],
  ['gRPC catalog NOT_FOUND', `npm run grpc-call --workspace=@faultline/demo -- getOrder '{"id":999}'`],
  [
    'gRPC pg 23505 ALREADY_EXISTS',
    `npm run grpc-call --workspace=@faultline/demo -- createOrder '{"reference":"A-1","quantity":1}'`,
  ],
  ['gRPC connection refused (async)', `npm run grpc-call --workspace=@faultline/demo -- getInvoice '{}'`],
  ['gRPC stream error', `npm run grpc-call --workspace=@faultline/demo -- watchOrders '{}'`],
  ['gRPC validation (BadRequest)', `npm run grpc-call --workspace=@faultline/demo -- getOrder '{"id":"x"}'`],
  [
    'Express: pg 23505 conflict',
    `curl -i -X POST http://${host}:${port + 3}/orders -H 'content-type: application/json' -d '{"reference":"A-1","quantity":1}'`,
  ],
  [
    'Express: zod on the body (pointers)',
    `curl -i -X POST http://${host}:${port + 3}/orders -H 'content-type: application/json' -d '{"reference":"x","quantity":0}'`,
  ],
  ['Express: connection refused', `curl -i http://${host}:${port + 3}/orders/1/invoice`],
  ['leak probe, HTTP/1.1 (it reads /openapi.json)', `npx @faultline/probe ${base}`],
  [
    'leak probe, gRPC (no server reflection here: name the methods)',
    `npx @faultline/probe grpc://${host}:${port + 2} --grpc-method /demo.Orders/GetOrder --grpc-method /demo.Orders/CreateOrder --grpc-method /demo.Orders/GetInvoice`,
  ],
  ['leak probe, WebSocket', `npx @faultline/probe 'ws://${host}:${port}/ws?token=demo'`],
];
console.log(
  `\nFaultline demo: orders service on ${base} (HTTP/1.1 + WebSocket), http://${host}:${port + 1} (HTTP/2 cleartext), gRPC ${host}:${port + 2}, Express http://${host}:${port + 3}\n`,
);
for (const [label, command] of examples) console.log(`  # ${label}\n  ${command}\n`);
console.log('Full details of each failure are logged below (JSON, redacted), keyed by the request_id clients see.\n');

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([
    // Close frames (1001), not dropped connections; an upgraded socket keeps http1.close() waiting.
    closeWebSocketClients(wss),
    http1.close(),
    http2.close(),
    // Calls still running after 5 s get UNAVAILABLE with their id, then the server is closed.
    shutdownGracefully(grpc, { timeoutMs: 5_000 }),
    expressService.close(),
  ]);
  await upstreams.close();
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

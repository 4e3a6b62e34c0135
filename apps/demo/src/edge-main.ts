/**
 * `npm run demo:edge`: the gateway -> Fastify -> gRPC -> failing data layer topology, on
 * 127.0.0.1 (gateway on PORT, default 8088; its gRPC listener on PORT+1). Ctrl-C or SIGTERM stops
 * every process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTopology } from './edge/topology.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-edge-demo-'));
const base = Number(process.env.PORT ?? 8088);
const topology = await startTopology(dir, base, base + 1);
const { files, port, grpcPort } = topology;
const grpcCall = 'npm run grpc-call --workspace=@faultline/demo -- reserve';
const ws = `ws://127.0.0.1:${port}/ws?token=demo`;
const wsClient = `node -e "const ws=new (require('ws'))('${ws}');ws.on('upgrade',r=>console.log('x-request-id',r.headers['x-request-id']));ws.on('message',m=>console.log(String(m)));ws.on('open',()=>{ws.send('{\\"action\\":\\"get\\",\\"id\\":999}');ws.send('{\\"action\\":\\"invoice\\"}')});ws.on('close',(c,r)=>console.log('close',c,String(r)))"`;
console.log(`Faultline edge demo: nginx :${port} -> orders API (Fastify, WebSocket /ws) -> inventory (gRPC) -> data layer (pg-style)
nginx :${grpcPort} (cleartext HTTP/2) -> inventory (gRPC, demo.Inventory)

  curl -si -X POST http://127.0.0.1:${port}/api/orders/A-1/reserve     # 409: the data layer's unique violation, generic
  curl -si -X POST http://127.0.0.1:${port}/api/orders/B-7/reserve     # 200
  curl -si http://127.0.0.1:${port}/admin                               # 404 from the gateway itself

  # gRPC through the gateway (from the repository root): the gateway's id in x-request-id
  ${grpcCall} '{"reference":"B-8","quantity":1}' ${grpcPort}   # ok, with the gateway's id
  ${grpcCall} '{"reference":"A-1","quantity":1}' ${grpcPort}   # ALREADY_EXISTS (6), generic, the same id in the details

  # WebSocket through the gateway (from the repository root): the 101's x-request-id is the connection id;
  # an error frame for a missing order, then close 1013 on the upstream failure
  ${wsClient}

One request id in: the answer, ${files.gatewayLog}, ${files.apiRecords}, ${files.inventoryRecords}
One trace in: ${files.apiSpans} and ${files.inventorySpans} (app.error.id on both spans)
WebSocket faults are in ${files.apiRecords}, with the gateway's id as connection_id
`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void topology.stop().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

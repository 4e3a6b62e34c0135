/**
 * `npm run demo:edge`: the gateway -> Fastify -> gRPC -> failing data layer topology, on
 * 127.0.0.1 (gateway on PORT, default 8088). Ctrl-C or SIGTERM stops every process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTopology } from './edge/topology.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-edge-demo-'));
const topology = await startTopology(dir, Number(process.env.PORT ?? 8088));
const { files, port } = topology;
console.log(`Faultline edge demo: nginx :${port} -> orders API (Fastify) -> inventory (gRPC) -> data layer (pg-style)

  curl -si -X POST http://127.0.0.1:${port}/api/orders/A-1/reserve     # 409: the data layer's unique violation, generic
  curl -si -X POST http://127.0.0.1:${port}/api/orders/B-7/reserve     # 200
  curl -si http://127.0.0.1:${port}/admin                               # 404 from the gateway itself

One request id in: the answer, ${files.gatewayLog}, ${files.apiRecords}, ${files.inventoryRecords}
One trace in: ${files.apiSpans} and ${files.inventorySpans} (app.error.id on both spans)
`);
let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void topology.stop().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

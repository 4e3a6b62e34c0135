import { createReporter, rotatingFile } from '@faultline/core';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import Fastify from 'fastify';
import { errors } from './catalog.js';

const reporter = createReporter({
  destination: rotatingFile({ path: process.env.FAULT_LOG ?? '/var/log/orders/faults.ndjson', maxFiles: 10 }),
});
const app = Fastify(faultlineServerOptions());
await app.register(faultline, { reporter });
app.get('/orders/:id', async () => {
  throw errors.ORDER_NOT_FOUND();
});
app.addHook('onClose', () => reporter.close()); // flush what is queued and close the file
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(1), 10_000).unref(); // requests still running after 10 s are cut off
  void app.close(); // waits for requests in flight, then runs onClose
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });

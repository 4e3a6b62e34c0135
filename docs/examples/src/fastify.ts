import { faultline, faultlineServerOptions } from '@faultline/fastify';
import Fastify from 'fastify';
import { errors } from './catalog.js';

const app = Fastify(faultlineServerOptions());
await app.register(faultline); // before your routes
app.get('/orders/:id', async () => {
  throw errors.ORDER_NOT_FOUND();
});
app.get('/orders', async () => {
  throw new Error('query failed on postgres://orders:hunter2@10.0.4.12:5432/shop');
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });

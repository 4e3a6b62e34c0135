import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { collectRoutes, docsPages, openApiDocument } from '@faultline/openapi';
import Fastify from 'fastify';
import { errors } from './catalog.js';

const app = Fastify(faultlineServerOptions());
const routes = collectRoutes(app); // before the routes
await app.register(faultline);
app.get('/orders/:id', { config: { faultlineCodes: ['ORDER_NOT_FOUND'] } }, async () => {
  throw errors.ORDER_NOT_FOUND();
});
app.get('/openapi.json', async () =>
  openApiDocument({ title: 'Orders', version: '1.0.0', routes, catalogs: [errors] }),
);
const pages = docsPages([errors], { domain: 'orders.example.com' }); // page name -> HTML
app.get('/errors/:page', async (request, reply) => {
  const page = pages.get(`${(request.params as { page: string }).page}.html`); // type URI: /errors/order-not-found
  if (page === undefined) throw errors.ORDER_NOT_FOUND();
  return reply.type('text/html').send(page);
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });

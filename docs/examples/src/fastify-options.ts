import { faultline, faultlineServerOptions } from '@faultline/fastify';
import Fastify from 'fastify';
import { errors } from './catalog.js';

const app = Fastify({
  ...faultlineServerOptions({ trustedProxies: ['127.0.0.1/32'] }), // ids: kept only from your gateway
  logger: true, // records then go through app.log, with Fastify's request lines (same request_id field)
});
await app.register(faultline, {
  format: 'problem', // or 'envelope'
  concealForbidden: true, // 403 answers as 404
  exposeTraceId: false, // no trace_id in bodies
  strictErrorHandlers: true, // refuse setErrorHandler calls that would bypass Faultline
});
app.post('/orders', { schema: { body: { type: 'object', required: ['items'] } } }, async () => {
  throw errors.TOO_MANY_ITEMS({ params: { limit: 100 } });
});
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3000) });

/**
 * Leaky stock Fastify targets (no Faultline): an invoices API described by a Swagger 2 document
 * at /swagger.json, and a reports site whose root page links its reports and whose GraphQL
 * endpoint answers stack traces.
 */
import Fastify from 'fastify';
import { type LeakyTarget, portOf } from './planted.js';

const SWAGGER = {
  swagger: '2.0',
  info: { title: 'invoices', version: '2' },
  basePath: '/v2',
  paths: {
    '/invoices': {
      post: {
        parameters: [{ name: 'invoice', in: 'body', schema: { $ref: '#/definitions/Invoice' } }],
        responses: { '201': { description: 'created' } },
      },
    },
    '/invoices/{invoiceId}': {
      get: {
        parameters: [{ name: 'invoiceId', in: 'path', type: 'integer' }],
        responses: { '200': { description: 'ok' } },
      },
    },
    '/reports': {
      get: {
        parameters: [{ name: 'limit', in: 'query', type: 'integer' }],
        responses: { '200': { description: 'ok' } },
      },
    },
  },
  definitions: {
    Invoice: { type: 'object', properties: { amount: { type: 'number' }, customer: { type: 'string' } } },
  },
};

async function listen(
  name: string,
  app: ReturnType<typeof Fastify>,
  planted: LeakyTarget['planted'],
): Promise<LeakyTarget> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { name, url: `http://127.0.0.1:${portOf(app.server)}`, planted, close: () => app.close() };
}

/** Prisma text on POST /v2/invoices, a TypeORM error on a bad invoice id, a Java stack on a bad report limit. */
export async function invoicesApi(): Promise<LeakyTarget> {
  const app = Fastify({ logger: false });
  app.get('/swagger.json', async () => SWAGGER);
  app.post('/v2/invoices', async () => {
    throw new Error('PrismaClientValidationError: Invalid `prisma.invoice.create()` invocation: Argument amount');
  });
  app.get<{ Params: { id: string } }>('/v2/invoices/:id', async (request) => {
    if (!/^\d+$/.test(request.params.id)) throw new Error('QueryFailedError: invalid input for invoice id');
    return { id: request.params.id };
  });
  app.get<{ Querystring: { limit?: string } }>('/v2/reports', async (request) => {
    if (!/^\d*$/.test(request.query.limit ?? '')) {
      throw new Error(
        'java.lang.NumberFormatException\n\tat com.acme.reports.ReportService.run(ReportService.java:42)',
      );
    }
    return [];
  });
  return listen('Fastify, Swagger 2 document', app, [
    { rule: 'leak/driver-prisma', where: 'POST /v2/invoices' },
    { rule: 'leak/orm', where: 'GET /v2/invoices/' },
    { rule: 'leak/stack-java', where: 'GET /v2/reports' },
  ]);
}

/** A root page linking /reports/daily?date=…; a .NET stack on a bad date, a Node stack from /graphql on malformed JSON. */
export async function reportsSite(): Promise<LeakyTarget> {
  const app = Fastify({ logger: false });
  app.get('/', async (_request, reply) =>
    reply
      .type('text/html')
      .send(
        '<html><body><a href="/reports/daily?date=2024-01-01">Daily</a> <a href="/style.css">css</a></body></html>',
      ),
  );
  app.get<{ Querystring: { date?: string } }>('/reports/daily', async (request) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(request.query.date ?? '')) {
      throw new Error('System.FormatException\n   at Reports.Daily.Run(String date) in /src/Reports/Daily.cs:line 42');
    }
    return { total: 0 };
  });
  // A GraphQL server that puts the exception's stack in `extensions` (debug mode left on).
  app.setErrorHandler((error: Error, request, reply) => {
    if (!request.url.startsWith('/graphql')) return reply.status(500).send({ error: error.message });
    const stacktrace = ['SyntaxError', '    at parse (/usr/src/app/graphql/server.js:12:20)'];
    return reply.status(400).send({ errors: [{ message: error.message, extensions: { exception: { stacktrace } } }] });
  });
  app.post('/graphql', async () => ({ data: null }));
  return listen('Fastify, links on the root page, GraphQL', app, [
    { rule: 'leak/stack-dotnet', where: '/reports/daily' },
    { rule: 'leak/stack-node', where: '/graphql' },
  ]);
}

import type { Classifier } from '@faultline/core';
import { asyncHandler, faultline } from '@faultline/express';
import express from 'express';

/** An error family of the application, recognised by its shape (never by its message). */
class CardDeclined extends Error {
  readonly declineCode = 'insufficient_funds';
}
const payments: Classifier = {
  name: 'payments',
  classify: (error) => (error instanceof CardDeclined ? { category: 'conflict', reason: 'card-declined' } : undefined),
};

const app = express();
const fl = faultline({
  app, // prepared at once: a request before its first one gets problem JSON too
  format: 'envelope', // {"error":{status,code,message,request_id}} as application/json; default 'problem'
  concealForbidden: true, // a 403 answers as a plain 404
  exposeTraceId: false, // no trace_id in bodies (default true when a span is active)
  classifiers: [payments], // tried before the built-in ones
  trustedProxies: ['127.0.0.1/32'], // keep an incoming X-Request-ID only from your gateway
});
app.use(fl.requestId);
app.use(express.json());
app.post(
  '/payments',
  asyncHandler(async () => {
    throw new CardDeclined('card 4242 declined by issuer');
  }),
);
app.use(fl.notFound);
app.use(fl.errorHandler);
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1').on('clientError', fl.clientError);
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(1), 10_000).unref(); // requests still running after 10 s are cut off
  server.close(() => void fl.reporter?.close()); // waits for requests in flight
});

import { faultline } from '@faultline/express';
import express from 'express';
import { errors } from './catalog.js';

const app = express();
const fl = faultline({ app }); // app: ready before its first request
app.use(fl.requestId); // first: a UUID v4 on req.id and X-Request-ID on every answer
app.get('/orders/:id', () => {
  throw errors.ORDER_NOT_FOUND();
});
app.use(fl.notFound); // after every route
app.use(fl.errorHandler); // last of all
app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1').on('clientError', fl.clientError);

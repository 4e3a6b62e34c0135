// After: the same app with Faultline. The route is unchanged.
import { faultline } from '@faultline/express';
import express from 'express';

const app = express();
const fl = faultline({ app });
app.use(fl.requestId);
app.get('/orders/:id', async () => {
  throw new Error('relation "orders" does not exist');
});
app.use(fl.notFound);
app.use(fl.errorHandler); // replaces the hand-written handler, still last
app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1').on('clientError', fl.clientError);

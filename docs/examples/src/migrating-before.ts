// Before: a hand-written error handler (what most Express apps have).
import express, { type NextFunction, type Request, type Response } from 'express';

const app = express();
app.get('/orders/:id', async () => {
  throw new Error('relation "orders" does not exist'); // a driver error, as thrown
});
app.use((error: Error & { status?: number }, _request: Request, response: Response, _next: NextFunction) => {
  console.error(error); // a multi-line stack on stderr, no request id
  response.status(error.status ?? 500).json({ error: error.message }); // the driver's text goes out
});
app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');

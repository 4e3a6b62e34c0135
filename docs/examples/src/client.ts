import { decodeFault } from '@faultline/client';
import { errors } from './catalog.js';

const response = await fetch(`http://127.0.0.1:${process.env.PORT ?? 3000}/orders/42`);
if (!response.ok) {
  const fault = await decodeFault(response, errors); // never throws, whatever the server sent
  if (fault.code === 'ORDER_NOT_FOUND') console.log(`no such order (request ${fault.requestId})`);
  else if (fault.retryable) console.log(`try again in ${fault.retryAfter ?? 1} s`);
}

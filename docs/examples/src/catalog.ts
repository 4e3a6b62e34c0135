import { defineCatalog } from '@faultline/core';

/** The service's error codes: one place, shared by the server and its clients. */
export const errors = defineCatalog({
  ORDER_NOT_FOUND: {
    category: 'not_found',
    message: 'The order does not exist.',
    type: 'https://docs.example.com/errors/order-not-found',
  },
  TOO_MANY_ITEMS: {
    category: 'validation',
    message: 'At most {limit} items per order.',
    params: { limit: 'integer' },
    translations: { de: { message: 'Höchstens {limit} Artikel pro Bestellung.' } },
  },
});

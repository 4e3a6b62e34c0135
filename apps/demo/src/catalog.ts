/** The demo service's one catalog: its stable public codes. */
import { defineCatalog } from '@faultline/core';

/**
 * The `ErrorInfo` domain of the service's gRPC answers, also named on its error docs pages: one
 * value, so a client reading `domain` on the wire finds the same one in the documentation.
 */
export const ERROR_DOMAIN = 'orders.example.com';

/** Stable codes of the orders service. */
export const errors = defineCatalog({
  ORDER_NOT_FOUND: {
    category: 'not_found',
    message: 'The order does not exist.',
    type: 'https://docs.example.com/errors/order-not-found',
  },
  ORDER_ALREADY_EXISTS: {
    category: 'conflict',
    message: 'An order with this reference already exists.',
    type: 'https://docs.example.com/errors/order-already-exists',
  },
  ADMIN_ONLY: { category: 'forbidden', message: 'Only administrators can do this.' },
  ORDER_TOO_LARGE: {
    category: 'validation',
    message: 'An order holds at most {limit} items.',
    type: 'https://docs.example.com/errors/order-too-large',
    params: { limit: 'integer' },
    translations: { de: { title: 'Ungültige Anfrage', message: 'Eine Bestellung enthält höchstens {limit} Artikel.' } },
  },
});

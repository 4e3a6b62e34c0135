// The statuses a hand-written handler set by hand become catalog codes, raised where they happen.
import { defineCatalog } from '@faultline/core';

export const errors = defineCatalog({
  ORDER_NOT_FOUND: { category: 'not_found', message: 'The order does not exist.' },
  ORDER_LOCKED: { category: 'conflict', message: 'The order is being changed by another request.' },
  PAYMENT_REQUIRED_FIELDS: { category: 'validation', message: 'The payment is incomplete.' },
});

export function findOrder(id: string, rows: ReadonlyMap<string, object>): object {
  const row = rows.get(id);
  if (row === undefined) throw errors.ORDER_NOT_FOUND({ message: `order ${id} missing` }); // message: logs only
  return row;
}

/**
 * An in-memory orders repository that fails like PostgreSQL: a duplicate reference raises a
 * real `pg-protocol` DatabaseError with SQLSTATE 23505, constraint and detail, as node-postgres
 * would.
 */
import { DatabaseError } from 'pg-protocol';

/** One order. */
export interface Order {
  readonly id: number;
  readonly reference: string;
  readonly quantity: number;
}

/** The repository. */
export class OrdersRepository {
  readonly #orders = new Map<number, Order>([[1, { id: 1, reference: 'A-1', quantity: 2 }]]);

  find(id: number): Order | undefined {
    return this.#orders.get(id);
  }

  insert(reference: string, quantity: number): Order {
    for (const order of this.#orders.values()) {
      if (order.reference === reference) {
        const message = 'duplicate key value violates unique constraint "orders_reference_key"';
        const error = new DatabaseError(message, message.length, 'error');
        Object.assign(error, {
          severity: 'ERROR',
          code: '23505',
          detail: `Key (reference)=(${reference}) already exists.`,
          schema: 'public',
          table: 'orders',
          constraint: 'orders_reference_key',
          routine: '_bt_check_unique',
        });
        throw error;
      }
    }
    const order = { id: this.#orders.size + 1, reference, quantity };
    this.#orders.set(order.id, order);
    return order;
  }
}

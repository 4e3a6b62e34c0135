/** The error every error mode of the benches throws. */

/** What a pg driver raises on a unique violation (a fresh Error, with its stack, per call). */
export function pgError(): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint "orders_ref_key"'), {
    code: '23505',
    severity: 'ERROR',
    table: 'orders',
    constraint: 'orders_ref_key',
  });
}

/**
 * Core demo: throws the values real services throw (a pg unique violation, a refused
 * connection, a timeout, a validation failure, a thrown string, a hostile object) and prints the
 * response each one becomes, next to what stays internal.
 */
import { capture, defineCatalog, renderProblem } from '@faultline/core';

const errors = defineCatalog({
  ORDER_NOT_FOUND: {
    category: 'not_found',
    message: 'The order does not exist.',
    type: 'https://docs.example.com/errors/order-not-found',
  },
});

const hostile = Object.defineProperty({}, 'message', {
  get() {
    throw new Error('getter exploded');
  },
});

const cases: [string, unknown][] = [
  ['catalog error', errors.ORDER_NOT_FOUND({ cause: new Error('SELECT * FROM orders WHERE id=42') })],
  [
    'pg unique violation',
    Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      code: '23505',
      severity: 'ERROR',
      table: 'users',
    }),
  ],
  ['connection refused', Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED' })],
  ['thrown string', 'password=hunter2 at /srv/app/src/db.ts:12'],
  ['hostile object', hostile],
];

for (const [label, thrown] of cases) {
  const fault = capture(thrown, { source: 'demo' });
  console.log(`\n# ${label}  (internal: ${fault.internal.classifier} ${fault.internal.reason})`);
  console.log(`HTTP ${fault.status}  gRPC ${fault.grpcCode}  WS close ${fault.wsCloseCode}`);
  console.log(renderProblem(fault));
}

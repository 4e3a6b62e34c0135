/**
 * Micro-benchmark of the response path: `capture` + `renderProblem` for a known catalog error,
 * an unknown Error and a pg driver error, next to `JSON.stringify` of the same problem object.
 * Goal: <= 2 us per known error (capture + render).
 */
import { capture, defineCatalog, newCorrelationId, renderProblem } from '@faultline/core';
import { consume, measure, printTable } from './measure.js';

const errors = defineCatalog({
  ORDER_NOT_FOUND: {
    category: 'not_found',
    message: 'The order does not exist.',
    type: 'https://docs.example.com/errors/order-not-found',
  },
});

const known = errors.ORDER_NOT_FOUND();
const unknown = new Error('connect to db.internal:5432 failed for user app (password=hunter2)');
const pg = Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
  code: '23505',
  severity: 'ERROR',
  detail: 'Key (email)=(a@b.c) already exists.',
  table: 'users',
  constraint: 'users_email_key',
});
const requestId = newCorrelationId();
const sameObject = {
  type: 'https://docs.example.com/errors/order-not-found',
  title: 'Not Found',
  status: 404,
  detail: 'The order does not exist.',
  code: 'ORDER_NOT_FOUND',
  request_id: requestId,
};

const results = measure([
  { name: 'baseline: JSON.stringify(problem object)', run: () => JSON.stringify(sameObject) },
  { name: 'known: capture(FaultError) + renderProblem', run: () => renderProblem(capture(known, { requestId })) },
  {
    name: 'known, raised: factory + capture + render',
    run: () => renderProblem(capture(errors.ORDER_NOT_FOUND(), { requestId })),
  },
  { name: 'known, new id: capture + render', run: () => renderProblem(capture(known)) },
  { name: 'unknown: capture(Error) + renderProblem', run: () => renderProblem(capture(unknown, { requestId })) },
  { name: 'pg 23505: capture + renderProblem', run: () => renderProblem(capture(pg, { requestId })) },
]);
printTable(
  'capture + render vs JSON.stringify of the same object (median of 7 interleaved rounds)',
  results,
  'baseline: JSON.stringify(problem object)',
);
const knownNs = results.find((r) => r.name.startsWith('known: '))?.nsPerOp ?? Number.NaN;
console.log(
  `\ngoal: known error capture+render <= 2000 ns: ${knownNs.toFixed(0)} ns -> ${knownNs <= 2000 ? 'met' : 'NOT met'}`,
);
consume(results);

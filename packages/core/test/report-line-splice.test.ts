/**
 * A record's line with the stack's frame lines spliced in already serialized (#27) is byte for
 * byte the line `JSON.stringify` of the whole record gives, for ordinary and hostile thrown values.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../src/redact/redactor.js';
import type { SnapNode } from '../src/redact/snapshot.js';
import { ErrorRedaction } from '../src/report/error-redaction.js';
import type { FullItem } from '../src/report/items.js';
import { formatLine, recordJson } from '../src/report/line-format.js';
import { fullRecord } from '../src/report/records.js';

const redactor = createRedactor();
const frames = '    at charge (/srv/app/billing.js:10:5)\n    at async handler (/srv/app/routes.js:20:7)';

function item(thrown: SnapNode, extra: Partial<FullItem> = {}): FullItem {
  return {
    k: 'f',
    h: 1,
    key: 'k',
    id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b',
    code: 'INTERNAL',
    category: 'internal',
    status: 500,
    server: true,
    errorType: 'Error',
    classifier: 'default',
    reason: 'unclassified',
    source: undefined,
    rejected: undefined,
    ctx: undefined,
    thrown,
    meta: undefined,
    otel: -1,
    ...extra,
  };
}

function error(message: string | undefined, stack: string, props: Record<string, SnapNode> = {}): SnapNode {
  return { e: { type: 'Error', ...(message === undefined ? {} : { message }), stack, props } };
}

/** The line with the frames spliced in, the plain line, and whether the splice was offered. */
function lines(thrown: SnapNode, extra?: Partial<FullItem>): { spliced: string; plain: string; offered: boolean } {
  const cached = new ErrorRedaction(redactor);
  cached.redact(thrown); // the frames are remembered from here on
  const { error: redacted, stackJson } = cached.redact(thrown);
  const record = fullRecord(item(thrown, extra), 'fp', redactor, redacted);
  const noTime = (line: string) => line.replace(/"time":\d+/, '"time":0');
  return {
    spliced: noTime(formatLine('error', record, 'fault INTERNAL', undefined, stackJson)),
    plain: noTime(formatLine('error', record, 'fault INTERNAL')),
    offered: stackJson !== undefined,
  };
}

describe('frame lines spliced into a record line', () => {
  const cases: [string, SnapNode, Partial<FullItem>?][] = [
    ['an ordinary error', error('user ann could not be charged', `Error: user ann could not be charged\n${frames}`)],
    ['a message holding "stack":[', error('x "stack":["y"]', `Error: x "stack":["y"]\n${frames}`)],
    ['a multi-line message', error('a\nb "c"', `Error: a\nb "c"\n${frames}`)],
    ['an empty message', error('', `Error\n${frames}`)],
    ['no message', error(undefined, `Error\n${frames}`)],
    ['a header with controls and unicode', error('\u0000\u2028 é 😀 \\', `Error: \u0000\u2028 é 😀 \\\n${frames}`)],
    ['a lone surrogate', error('\ud800', `Error: \ud800\n${frames}`)],
    ['a prop named a"stack', error('m', `Error: m\n${frames}`, { 'a"stack': ['z'], stack: 'own', message: 'own' })],
    [
      'a cause with its own stack',
      {
        e: {
          type: 'Error',
          message: 'm',
          stack: `Error: m\n${frames}`,
          props: {},
          cause: error('c', `Error: c\n${frames}`),
        },
      },
    ],
    [
      'a __proto__ prop',
      error('m', `Error: m\n${frames}`, JSON.parse('{"__proto__":{"o":{"x":1}}}') as Record<string, SnapNode>),
    ],
    [
      'context, source and meta',
      error('m', `Error: m\n${frames}`),
      {
        source: 's"',
        rejected: 'r',
        ctx: { protocol: 'http', method: 'GET', route: '/a"stack":[' },
        meta: { o: { stack: ['x'] } },
      },
    ],
    ['a secret in a frame', error('m', `Error: m\n    at a (/x.js:1:1) password=hunter2\n${frames}`)],
  ];

  it.each(cases)('%s', (_name, thrown, extra) => {
    const { spliced, plain, offered } = lines(thrown, extra);
    expect(offered).toBe(true);
    expect(spliced).toBe(plain);
  });

  it('any message and props give the plain line', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 12 }), {
          maxKeys: 4,
        }),
        (message, props) => {
          const { spliced, plain } = lines(error(message, `Error: ${message}\n${frames}`, props));
          expect(spliced).toBe(plain);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('falls back to JSON.stringify when the record is not what the hint describes', () => {
    const stack = ['head', 'at a (/x.js:1:1)'];
    const hint = { stack, from: 1, count: 1, json: '"at a (/x.js:1:1)"' };
    const other = { error: { type: 'Error', stack: [...stack] } };
    expect(recordJson(other, hint)).toBe(JSON.stringify(other));
    const grown = { error: { type: 'Error', stack: [...stack, 'more'] } };
    expect(recordJson(grown, { ...hint, stack: grown.error.stack })).toBe(JSON.stringify(grown));
    const own = { error: { type: 'Error', stack } };
    expect(recordJson(own, hint)).toBe(JSON.stringify(own));
    expect(own.error.stack).toBe(stack);
  });
});

/**
 * Runtime error shapes whose detail the record or the answer used to lose:
 * - an error made in another realm (`vm`, a test environment) whose `stack` is not a string was
 *   walked as a plain object: its type and its non-enumerable message were lost (the record was `{}`);
 * - a `message` or `stack` that is not a string (`e.message = responseBody` keeps the constructor's
 *   field non-enumerable, or an own enumerable one) was dropped from the record;
 * - Node's `AbortError` (`timers/promises`, `events.once`, `stream.pipeline`, `fs` with a signal)
 *   whose reason is the application's `FaultError` was answered 499 CANCELLED, while `fetch`, which
 *   rejects with the reason itself, answered the fault: the application's word now wins both ways;
 * - an `Event` a handler rejected with (a WebSocket's `ErrorEvent`, a `CustomEvent`, the `ws`
 *   library's events) holds everything in getters: the record was `{}`;
 * - a message that is also part of the type (`eg` in `AggregateError: eg`, `Error: Error`) cut the
 *   stack's header line inside the type: the record's first stack line was `Aggreg`.
 */
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ErrorRedaction } from '../src/report/error-redaction.js';
import { capture, createRedactor, defineCatalog, httpAnswer, resolveResponder } from './support/source.js';

const redactor = createRedactor();
type Record = { [key: string]: unknown };

describe('an error of another realm', () => {
  it.each([
    ['no stack', 'e.stack = undefined'],
    ['a stack that is an object', 'e.stack = { frames: 2 }'],
    ['its stack deleted', 'delete e.stack'],
  ])('with %s keeps its type and redacted message', (_name, change) => {
    const thrown = runInNewContext(`const e = new RangeError('bad offset password=hunter2'); ${change}; e`);
    const out = redactor.redact(thrown) as Record;
    expect(out.type).toBe('RangeError');
    expect(out.message).toBe('bad offset password=[REDACTED]');
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });
});

describe('a message or stack that is not a string', () => {
  const body = () => ({ detail: 'upstream refused', token: 'tok_abcdefghijklmnop' });

  it('assigned over the constructor message (non-enumerable) is kept, redacted', () => {
    const thrown = new Error('Request failed');
    thrown.message = body() as never;
    const out = redactor.redact(thrown) as Record;
    expect(out.message).toEqual({ detail: 'upstream refused', token: '[REDACTED]' });
    expect(Array.isArray(out.stack)).toBe(true);
  });

  it('set as an own enumerable field is kept, redacted', () => {
    const out = redactor.redact(Object.assign(new Error(), { message: body() })) as Record;
    expect(out.message).toEqual({ detail: 'upstream refused', token: '[REDACTED]' });
  });

  it('a stack given as frames is kept; string message and stack are written once, as before', () => {
    const framed = redactor.redact(Object.assign(new Error('x'), { stack: ['at a (/srv/app.js:1:1)'] })) as Record;
    expect(framed.stack).toEqual(['at a (/srv/app.js:1:1)']);
    const plain = redactor.redact(Object.assign(new Error('y'), { message: 'own y', stack: 'Error: own y' })) as Record;
    expect([plain.message, plain.stack]).toEqual(['own y', ['Error: own y']]);
  });

  it('answers the client a generic 500', () => {
    const thrown = new Error('x');
    thrown.message = body() as never;
    const answer = httpAnswer(capture(thrown), resolveResponder({}, undefined), undefined, {});
    expect(answer.status).toBe(500);
    expect(answer.body).not.toMatch(/upstream refused|tok_/);
  });
});

describe("an abort whose reason is the application's FaultError", () => {
  const catalog = defineCatalog({ PAYMENT_SLOW: { category: 'timeout', message: 'The payment service is slow.' } });

  async function abortedSleep(reason: unknown): Promise<unknown> {
    const controller = new AbortController();
    const pending = sleep(60_000, undefined, { signal: controller.signal });
    controller.abort(reason);
    return pending.then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  async function abortedOnce(reason: unknown): Promise<unknown> {
    const controller = new AbortController();
    const pending = once(new EventEmitter(), 'never', { signal: controller.signal });
    controller.abort(reason);
    return pending.then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it.each([
    ['timers/promises', abortedSleep],
    ['events.once', abortedOnce],
  ])('is answered as that fault (%s), as fetch answers it', async (_name, aborted) => {
    const thrown = await aborted(catalog.create('PAYMENT_SLOW'));
    expect((thrown as Record).code).toBe('ABORT_ERR');
    const fault = capture(thrown);
    expect([fault.status, fault.code, fault.internal.classifier]).toEqual([504, 'PAYMENT_SLOW', 'fault']);
    const answer = httpAnswer(fault, resolveResponder({}, undefined), undefined, {});
    expect(answer.body).toContain('PAYMENT_SLOW');
  });

  it('any other reason keeps the abort a cancellation, a deadline a timeout', async () => {
    const reasons = [undefined, 'left', new Error('user left'), new DOMException('timed out', 'TimeoutError')];
    const categories = [];
    for (const reason of reasons) categories.push(capture(await abortedSleep(reason)).category);
    expect(categories).toEqual(['cancelled', 'cancelled', 'cancelled', 'timeout']);
  });
});

describe('a message that is also part of the type', () => {
  it.each([
    ['AggregateError: eg', () => new AggregateError([], 'eg')],
    ['Error: Error', () => new Error('Error')],
    ['TypeError: Type', () => new TypeError('Type')],
  ])('keeps the header line %s, in the redactor and in the reporter', (header, make) => {
    const thrown = make();
    const out = redactor.redact(thrown) as Record;
    const reported = new ErrorRedaction(redactor).redact(redactor.snapshot(thrown)).error as Record;
    for (const stack of [out.stack, reported.stack] as string[][]) {
      expect(stack[0]).toBe(header);
      expect(stack[1]).toMatch(/^at /);
    }
  });
});

describe('an event a handler rejected with', () => {
  it('a DOM Event and a CustomEvent are written with their class, type and detail, redacted', () => {
    expect(redactor.redact(new Event('boom'))).toEqual({ event: 'Event', type: 'boom' });
    const custom = new CustomEvent('payment-failed', { detail: { step: 'capture', token: 'tok_abcdefghijklmnop' } });
    expect(redactor.redact(custom)).toEqual({
      event: 'CustomEvent',
      type: 'payment-failed',
      detail: { step: 'capture', token: '[REDACTED]' },
    });
  });

  it("the ws library's ErrorEvent and CloseEvent (fields behind symbols and getters) are written", () => {
    // ws 8's shape (lib/event-target.js): the state in symbol-keyed fields, read through getters.
    const kType = Symbol('kType');
    const kError = Symbol('kError');
    const kCode = Symbol('kCode');
    class WsEvent {
      [kType]: string;
      constructor(type: string) {
        this[kType] = type;
      }
      get type(): string {
        return this[kType];
      }
    }
    class ErrorEvent extends WsEvent {
      [kError]: Error;
      constructor(error: Error) {
        super('error');
        this[kError] = error;
      }
      get error(): Error {
        return this[kError];
      }
      get message(): string {
        return this[kError].message;
      }
    }
    class CloseEvent extends WsEvent {
      [kCode]: number;
      constructor(code: number) {
        super('close');
        this[kCode] = code;
      }
      get code(): number {
        return this[kCode];
      }
    }
    const error = new ErrorEvent(new Error('Unexpected server response: 401 for wss://u:hunter2pw@up.example'));
    const out = redactor.redact(error) as Record;
    expect([out.event, out.type, out.message]).toEqual([
      'ErrorEvent',
      'error',
      'Unexpected server response: 401 for wss://u:[REDACTED]@up.example',
    ]);
    expect((out.error as Record).type).toBe('Error');
    expect(redactor.redact(new CloseEvent(1011))).toEqual({ event: 'CloseEvent', type: 'close', code: 1011 });
    expect(capture(error).status).toBe(500);
  });

  it.skipIf(typeof WebSocket !== 'function')(
    "a global WebSocket's error event (Node 22 and later) keeps its error",
    async () => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as { port: number };
      await new Promise((resolve) => server.close(resolve));
      const event = await new Promise<Event>((resolve) => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/?token=sk_live_abcdefghijklmnop12`);
        socket.onerror = resolve;
      });
      const out = redactor.redact(event) as Record;
      expect([out.event, out.type]).toEqual(['ErrorEvent', 'error']);
      expect(out.error).toMatchObject({ stack: expect.any(Array) });
      const answer = httpAnswer(capture(event), resolveResponder({}, undefined), undefined, {});
      expect([answer.status, answer.body.includes('sk_live')]).toEqual([500, false]);
    },
  );
});

/**
 * A SuppressedError (explicit resource management: what a `using` block throws when its body and
 * its disposal both fail, and what `DisposableStack.dispose()` throws; a global on Node 24, made by
 * polyfills elsewhere) holds the disposal's `error` and the `suppressed` original as own,
 * non-enumerable fields. The record used to keep only its generic message ("An error was
 * suppressed during disposal."): both errors were lost to the operator. They are written,
 * redacted, on every Node line, and the client's answer stays generic.
 */
import { describe, expect, it } from 'vitest';
import { capture, createRedactor, httpAnswer, resolveResponder } from './support/source.js';

const redactor = createRedactor();

/** The original failure, hidden by the disposal's: a pg unique violation with a secret in it. */
function original(): Error {
  return Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
    code: '23505',
    detail: 'Key (email)=(a@b.c) already exists. password=hunter2',
  });
}

/** The disposal's failure: a connection string with its password. */
function disposal(): Error {
  return new Error('release failed: postgres://app:s3cretPw@db.internal:5432/app');
}

/** What a polyfill (core-js) makes on a Node without the global: both fields own and non-enumerable. */
function polyfilled(error: unknown, suppressed: unknown): Error {
  const made = new Error('An error was suppressed during disposal.');
  made.name = 'SuppressedError';
  Object.defineProperty(made, 'error', { value: error, writable: true, configurable: true });
  Object.defineProperty(made, 'suppressed', { value: suppressed, writable: true, configurable: true });
  return made;
}

const native = (globalThis as { SuppressedError?: new (error: unknown, suppressed: unknown, message: string) => Error })
  .SuppressedError;
const MAKERS: readonly (readonly [string, (error: unknown, suppressed: unknown) => Error])[] = [
  ['polyfilled', polyfilled],
  ...(native === undefined
    ? []
    : [['native', (e: unknown, s: unknown) => new native(e, s, 'An error was suppressed during disposal.')] as const]),
];

describe.each(MAKERS)('a %s SuppressedError', (_kind, make) => {
  it('is written with the disposal error and the suppressed one, redacted', () => {
    const out = redactor.redact(make(disposal(), original())) as Record<string, Record<string, unknown>>;
    const text = JSON.stringify(out);
    expect(text).not.toMatch(/hunter2|s3cretPw/);
    expect(out.error?.message).toBe('release failed: postgres://app:[REDACTED]@db.internal:5432/app');
    expect(out.suppressed?.code).toBe('23505');
    expect(out.suppressed?.message).toContain('users_email_key');
  });

  it('keeps an own enumerable `error` or `suppressed` field as the error gave it', () => {
    const made = make(disposal(), original());
    Object.defineProperty(made, 'suppressed', { value: 'a note', enumerable: true, configurable: true });
    const out = redactor.redact(made) as Record<string, unknown>;
    expect(out.suppressed).toBe('a note');
  });

  it('answers the client a generic 500', () => {
    const answer = httpAnswer(capture(make(disposal(), original())), resolveResponder({}, undefined), undefined, {});
    expect(answer.status).toBe(500);
    expect(answer.body).not.toMatch(/hunter2|s3cret|users_email|db\.internal|suppressed/);
  });
});

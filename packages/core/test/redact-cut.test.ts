/**
 * A secret the length limits cut through is not written in part. Strings are cut at
 * `maxStringLength` (8192), keys at 128 characters; a secret straddling the cut used to lose the
 * tail its pattern needs, and its head was written (`sk_live_4eC39HqL...[truncated]`, the words of
 * a quoted password, the body of a private key). Records are read back from a real reporter's
 * file, written on the response thread and on the worker thread.
 */
import { describe, expect, it } from 'vitest';
import { type HostileFault, THREADS, unaccounted, writeFaults } from './support/hostile-records.js';
import { builtinDefinition, createRedactor, FaultError } from './support/source.js';

/** A secret, the index in it where the cut falls, and a part before that index which must not be written. */
const STRADDLING: readonly (readonly [name: string, secret: string, cutAt: number, part: string])[] = [
  ['stripe key', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc', 16, '4eC39HqL'],
  ['GitHub token', 'ghp_16C7e42F292c6912E7710c838347Ae178B4a', 24, '16C7e42F292c'],
  ['Google key', 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI', 20, 'SyDdI0hCZtE6'],
  ['OpenAI-like key', 'sk-proj-Zx9abcdefghijklmnopqrstuvwxyz0123456789', 24, 'Zx9abcdefghi'],
  [
    'JWT',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwicm9sZSI6ImFkbWluIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    50,
    'eyJzdWIiOiIxMjM0',
  ],
  ['URL password', 'postgres://orders:Pg5ecretPw@db.internal:5432/shop', 22, 'orders:Pg5e'],
  ['quoted JSON password', '{"password":"correct horse battery staple"}', 27, 'correct horse'],
  ['bearer token', 'Authorization: Bearer abcDEF123456ghiJKLmnop', 26, 'Bearer abcD'],
  [
    'private key',
    '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nAKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----',
    40,
    'MIIEvQIBADAN',
  ],
  ['card number', '4111 1111 1111 1111', 14, '4111 1111 1111'],
  ['email', 'alice.smith@example.com', 16, 'alice.smith'],
  ['AWS secret', 'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 40, 'wJalrXUtnFEMI/K7'],
];

/** Words, then `secret` so that a cut at `limit` characters falls at `cutAt` inside it. */
function straddle(secret: string, cutAt: number, limit: number): string {
  const lead = limit - cutAt;
  return `${'word '.repeat(Math.ceil(lead / 5)).slice(0, lead - 1)} ${secret} and the rest`;
}

const STRING_LIMIT = 8192;
const KEY_LIMIT = 128;

/** An error whose custom stack is cut inside a frame line, the secret in that frame. */
function stackCutInFrame(secret: string, cutAt: number): Error {
  const error = new Error('upstream refused the call');
  const head = 'Error: upstream refused the call\n    at charge (/srv/app/billing.js:10:5)\n    at ';
  error.stack = `${head}${straddle(secret, cutAt, STRING_LIMIT - head.length)}\n    at next (/srv/app/x.js:1:1)`;
  return error;
}

/** Every place a straddling secret can be cut in: messages, fields, keys, stacks, causes, meta, attributes. */
function faultsFor(secret: string, cutAt: number): HostileFault[] {
  const text = straddle(secret, cutAt, STRING_LIMIT);
  const key = straddle(secret, cutAt, KEY_LIMIT);
  return [
    { thrown: new Error(text) },
    { thrown: Object.assign(new Error('query failed'), { detail: text }) },
    { thrown: Object.assign(new Error('bad field'), { fields: { [key]: 1 } }) },
    { thrown: stackCutInFrame(secret, cutAt) },
    { thrown: new Error('outer', { cause: new AggregateError([new Error(text)], 'several') }) },
    { thrown: new FaultError(builtinDefinition('unavailable'), { meta: { upstream: { reply: text } } }) },
    { thrown: new Error('with attributes'), attributes: { body: text, [key]: 'v' } },
  ];
}

describe.each(THREADS)('secrets the cut goes through, written on the %s thread', (thread) => {
  it('are redacted whole, never written in part', async () => {
    const faults = STRADDLING.flatMap(([, secret, cutAt]) => faultsFor(secret, cutAt));
    const written = await writeFaults(thread, faults);
    const perSecret = faults.length / STRADDLING.length;
    const leaks: string[] = [];
    STRADDLING.forEach(([name, , , part], i) => {
      for (let j = 0; j < perSecret; j += 1) {
        const line = written.recordLines[i * perSecret + j];
        expect(line, `${name}, case ${j}: no record`).toBeDefined();
        if (line?.includes(part) === true) leaks.push(`${name}, case ${j}`);
      }
    });
    expect(leaks).toEqual([]);
    // The text before the secret is kept, and says it was cut.
    expect(written.records[0]?.error).toMatchObject({
      message: expect.stringMatching(/^word word .*\[truncated \d+ chars\]$/),
    });
    expect(unaccounted(written.stats)).toBe(0);
  }, 30_000);
});

describe('Redactor.redactString at its length limit', () => {
  it('redacts a secret the cut goes through before cutting (method, route, OTel messages)', () => {
    const redactor = createRedactor();
    for (const [name, secret, cutAt, part] of STRADDLING) {
      const out = redactor.redactString(straddle(secret, cutAt, STRING_LIMIT));
      expect(out.length, name).toBeLessThan(STRING_LIMIT + 40);
      expect(out, name).not.toContain(part);
      expect(out, name).toMatch(/\[truncated \d+ chars\]$/);
    }
  });
});

/**
 * `Retry-After` in odd forms, read by RFC 9110's grammar alone: delay-seconds of any length
 * (capped at a day, never dropped for being long), the three HTTP-date forms, and everything
 * V8's lenient `Date.parse` would have read as a year (`3600.`, `in 2099`). Then the same headers
 * from a real HTTP server on 127.0.0.1 (ephemeral port) through `decodeFault`.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECODE_LIMITS, decodeFault, retryAfterSeconds } from '../src/index.js';

const NOW = Date.UTC(2025, 0, 1); // Wed, 01 Jan 2025 00:00:00 GMT
const DAY = DECODE_LIMITS.retryAfter;

describe('retryAfterSeconds', () => {
  it.each([
    ['120', 120],
    [' 120\t', 120],
    ['0', 0],
    ['999999', DAY],
    ['9999999', DAY],
    ['9'.repeat(64), DAY],
    ['0'.repeat(64), 0],
    ['Wed, 01 Jan 2025 00:02:00 GMT', 120],
    ['Wednesday, 01-Jan-25 00:02:00 GMT', 120],
    ['Wed Jan  1 00:02:00 2025', 120],
    ['Wed Jan 15 00:00:00 2025', DAY],
    ['Wed, 01 Jan 2025 00:00:00 GMT', 0],
    ['Fri, 31 Dec 9999 23:59:59 GMT', DAY],
  ])('%j -> %d', (value, seconds) => {
    expect(retryAfterSeconds(value, NOW)).toBe(seconds);
  });

  it.each([
    '3600.',
    '3600,',
    'in 2099',
    '2099 1',
    '2099-01-01',
    '1 Jan 2099',
    '12/31/2099',
    '120 seconds',
    '1e3',
    '+5',
    '-1',
    '1.5',
    '0x10',
    'Infinity',
    '\u0661\u0662',
    'wed, 01 Jan 2025 00:02:00 GMT',
    'Wed, 01 Jan 2025 00:02:00 UTC',
    'Wed, 31 Feb 2025 00:00:00 GMT',
    'Wed, 01 Jan 2025 24:00:00 GMT',
    'Wed Jan 1 00:02:00 2025',
    'Tue, 31 Dec 2024 23:59:59 GMT',
    `${'1'.repeat(65)}`,
    '',
  ])('%j is not a delay', (value) => {
    expect(retryAfterSeconds(value, NOW)).toBeUndefined();
  });

  it('a date less than a second ago is 0, never -0', () => {
    expect(Object.is(retryAfterSeconds('Wed, 01 Jan 2025 00:00:00 GMT', NOW + 500), 0)).toBe(true);
  });

  it('an RFC 850 year more than 50 years ahead is the past century', () => {
    expect(retryAfterSeconds('Thursday, 01-Jan-99 00:00:00 GMT', NOW)).toBeUndefined();
    expect(retryAfterSeconds('Friday, 01-Jan-70 00:00:10 GMT', Date.UTC(1970, 0, 1))).toBe(10);
  });
});

let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((request, response) => {
    const value = decodeURIComponent((request.url ?? '/').slice(1));
    response.writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': value });
    response.end('{"code":"UNAVAILABLE"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('Retry-After from a real server', () => {
  it.each([
    ['3600.', undefined],
    ['in 2099', undefined],
    ['9999999', DAY],
    ['30', 30],
  ])('%j -> %s', async (value, seconds) => {
    const fault = await decodeFault(await fetch(`${base}/${encodeURIComponent(value)}`));
    expect(fault).toMatchObject({ code: 'UNAVAILABLE', conforming: true });
    expect(fault.retryAfter).toBe(seconds);
  });
});

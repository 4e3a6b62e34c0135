/**
 * Secrets in the shapes the README promises, in the spellings real systems write them, through a
 * real reporter on both threads: lower-case schemes (`bearer`, GitHub's `token`), percent-encoded
 * and escaped JSON pairs, tokens that end in `-` or `/` or touch `_`, session ids under their
 * usual names, names an error chose for itself, card numbers held as numbers; and `__proto__`
 * keys, kept as data.
 */
import { describe, expect, it } from 'vitest';
import { THREADS, unaccounted, writeFaults } from './support/hostile-records.js';

const AWS_ID = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const AWS_SECRET_PART = 'wJalrXUtnFEMI';
const PEM_PART = 'MIIEvQIBADANBgkq';
const PEM = `-----BEGIN PRIVATE KEY-----\n${PEM_PART}hkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7+/x=\n-----END PRIVATE KEY-----\n`;
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** Text holding a secret, and the part of it that must not be written. */
const IN_TEXT: readonly (readonly [text: string, part: string])[] = [
  ['authorization: bearer opaqueTok3nValue99', 'opaqueTok3n'],
  ['BEARER UpperTok3nValue99', 'UpperTok3n'],
  ['Authorization: token 0123abcdOpaqueGh', '0123abcdOpaque'],
  ['HTTP_AUTHORIZATION=RawKeyValue77', 'RawKeyValue77'],
  ['redirect=%2Flogin%3Fpassword%3DEncPassVal77', 'EncPassVal77'],
  ['q=%7B%22password%22%3A%22EncJsonPw77%22%7D', 'EncJsonPw77'],
  ['body={\\"password\\":\\"EscJsonPw77\\"}', 'EscJsonPw77'],
  ['next=https%3A%2F%2Fadmin%3AEncUrlPw77%40db.internal%2F', 'EncUrlPw77'],
  ['key AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsH- rejected', 'SyDdI0hCZtE6'],
  ['token glpat-Ab3dEfGh1jKlMn0pQrS- expired', 'Ab3dEfGh1jKl'],
  ['aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE/ bad', 'wJalrXUtnFEMI'],
  ['MY_AWS_SECRET_ACCESS_KEY=Zq9lrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'Zq9lrXUtn'],
  ['cred_AKIAIOSFODNN7EXAMPLE denied', 'IOSFODNN7EXAMPLE'],
  ['rotated sk_live_4eC39HqLyjWDarjtT1zdp7dc_old', '4eC39HqLyjWD'],
  ['resume session_id=SessVal77abc failed', 'SessVal77abc'],
  ['PHPSESSID=PhpSessVal77; path=/', 'PhpSessVal77'],
  ['sent cookie=sid%3DCookieVal77', 'CookieVal77'],
  ['password = "an unterminated pass phrase', 'unterminated pass'],
  ['socket mode: xapp-1-A0123ABCDEF-1234567890123-0a1b2c3d4e5f6a7b8c9d refused', '0a1b2c3d4e5f'],
  ['hub said 401 for hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh', 'AbCdEfGhIjKlMnOp'],
  ['org api_org_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh', 'AbCdEfGhIjKlMnOp'],
  [`droplet api: dop_v1_${'0a1b2c3d'.repeat(8)} invalid`, '0a1b2c3d0a1b'],
  ['twilio key SK0123456789abcdef0123456789abcdef revoked', '0123456789abcdef'],
  ['backup failed: mysqldump -uroot -pS3cretDump77 -h db shop', 'S3cretDump77'],
  ['mariadb --user=app -pMaria77pw -e "select 1"', 'Maria77pw'],
  // An AWS secret under the SDK's and STS's names, and beside its key id with no name of its own.
  [`sts answered {"AccessKeyId":"${AWS_ID}","SecretAccessKey":"${AWS_SECRET}"}`, AWS_SECRET_PART],
  [`credentials {accessKeyId: '${AWS_ID}', secretAccessKey: '${AWS_SECRET}'}`, AWS_SECRET_PART],
  [`secret_access_key=${AWS_SECRET}`, AWS_SECRET_PART],
  [`credentials.csv: ${AWS_ID},${AWS_SECRET}`, AWS_SECRET_PART],
  [`creds ${AWS_ID}:${AWS_SECRET} refused`, AWS_SECRET_PART],
  [`["${AWS_ID}", "${AWS_SECRET}"]`, AWS_SECRET_PART],
  // A private key percent-encoded (a query or form parameter), and base64-encoded whole.
  [`key=${encodeURIComponent(PEM)}&x=1`, PEM_PART],
  [`key=${encodeURIComponent(PEM).replaceAll('%20', '+')}`, PEM_PART],
  [`PRIVATE_KEY_B64=${base64(PEM)}`, base64(PEM).slice(20, 44)],
  [`data: ${base64(PEM).replace(/(.{76})/g, '$1\n')}`, base64(PEM).slice(80, 104)],
  // A JWT base64-encoded again.
  [`token ${base64(JWT)} expired`, base64(JWT).slice(8, 40)],
];

/** Keys whose values must not be written (the README: password, secret, token, authorization, cookie, session, api_key). */
const SENSITIVE_KEYS = [
  'session_id',
  'x-session-id',
  'PHPSESSID',
  'connect.sid',
  'sid',
  'passwordConfirmation',
  'password_confirmation',
  'password2',
  'access_key',
  'privKey',
  'signingKey',
];

const TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';
const TOKEN_PART = '16C7e42F292c';

/** Values that carry a name of their own choosing: the error's, its class's, a nested object's, a function's. */
function named(): unknown[] {
  const byName = new Error('named');
  byName.name = TOKEN;
  const Class = class extends Error {};
  Object.defineProperty(Class, 'name', { value: TOKEN });
  let deep: unknown = { name: TOKEN };
  for (let i = 0; i < 9; i += 1) deep = { deep };
  const fn = () => undefined;
  Object.defineProperty(fn, 'name', { value: TOKEN });
  return [
    byName,
    new Class('by class'),
    Object.assign(new Error('deep'), { deep }),
    Object.assign(new Error('fn'), { fn }),
  ];
}

describe.each(THREADS)('secret formats, written on the %s thread', (thread) => {
  it('redacts each in a message, a field and the attributes', async () => {
    const written = await writeFaults(
      thread,
      IN_TEXT.flatMap(([text]) => [
        { thrown: new Error(`failed: ${text}`) },
        { thrown: Object.assign(new Error('upstream'), { response: { data: text } }) },
        { thrown: new Error('attributes'), attributes: { request: text } },
      ]),
    );
    const leaks = IN_TEXT.flatMap(([text, part], i) =>
      [0, 1, 2].filter((j) => written.recordLines[i * 3 + j]?.includes(part) !== false).map((j) => `${text} (${j})`),
    );
    expect(leaks).toEqual([]);
    expect(unaccounted(written.stats)).toBe(0);
  }, 30_000);

  it('redacts the values of session, password-confirmation and key fields', async () => {
    const values = Object.fromEntries(SENSITIVE_KEYS.map((key, i) => [key, `KeyValue${i}x`]));
    const written = await writeFaults(thread, [
      { thrown: Object.assign(new Error('fields'), { form: values }) },
      { thrown: new Error('attributes'), attributes: { ...values, route_kept: 'KeptValue' } },
    ]);
    for (const line of written.recordLines) {
      expect(line).toBeDefined();
      expect(SENSITIVE_KEYS.filter((_, i) => line?.includes(`KeyValue${i}x`))).toEqual([]);
    }
    expect(written.recordLines[1]).toContain('KeptValue');
  }, 30_000);

  it('redacts a name the value chose, and card numbers held as numbers', async () => {
    const written = await writeFaults(thread, [
      ...named().map((thrown) => ({ thrown })),
      {
        // `at`: a timestamp in milliseconds that passes the Luhn check, kept (13 digits).
        thrown: Object.assign(new Error('charge'), {
          pan: 4111111111111111,
          panBig: 5555555555554444n,
          cents: 1999,
          at: 1733450000000,
        }),
      },
    ]);
    const lines = written.recordLines;
    expect(lines.filter((line) => line?.includes(TOKEN_PART) !== false)).toEqual([]);
    const charge = lines.at(-1) ?? '';
    expect(charge).not.toContain('4111111111111111');
    expect(charge).not.toContain('5555555555554444');
    expect(written.records.at(-1)?.error).toMatchObject({ cents: 1999, at: 1733450000000 });
  }, 30_000);

  it('writes URL, URLSearchParams and Headers values as their text and fields, redacted', async () => {
    const written = await writeFaults(thread, [
      {
        thrown: Object.assign(new Error('fetch failed'), {
          url: new URL('https://svc:UrlPass77@api.internal:8443/v1/orders?access_token=QueryTok77&page=2'),
          query: new URLSearchParams({ api_key: 'ParamKey77', page: '3' }),
          headers: new Headers({ authorization: 'Bearer HeaderTok77', 'x-api-key': 'HeaderKey77', accept: 'json' }),
        }),
      },
    ]);
    const line = written.recordLines[0] ?? '';
    expect(
      ['UrlPass77', 'QueryTok77', 'ParamKey77', 'HeaderTok77', 'HeaderKey77'].filter((s) => line.includes(s)),
    ).toEqual([]);
    // What broke is still there: the host, the path, the harmless parameters and headers.
    expect(written.records[0]?.error).toMatchObject({
      url: 'https://svc:[REDACTED]@api.internal:8443/v1/orders?access_token=[REDACTED]&page=2',
      query: 'api_key=[REDACTED]&page=3',
      headers: { authorization: '[REDACTED]', 'x-api-key': '[REDACTED]', accept: 'json' },
    });
  }, 30_000);

  it("redacts an error's request: raw header values by their names, a token sent as a subprotocol", async () => {
    const req = {
      url: '/ws?room=7',
      headers: { 'sec-websocket-protocol': 'bearer, SubprotoTok77abc', cookie: 'sid=CookieVal77' },
      rawHeaders: ['Host', 'x', 'Cookie', 'sid=CookieVal77', 'X-Api-Key', 'ApiKey77xyz', 'Accept', 'json'],
      rawTrailers: ['Proxy-Authorization', 'Negotiate TrailerTok77'],
    };
    const written = await writeFaults(thread, [{ thrown: Object.assign(new Error('refused'), { req }) }]);
    expect(written.recordLines[0]).not.toMatch(/SubprotoTok77|CookieVal77|ApiKey77|TrailerTok77/);
    expect(written.records[0]?.error).toMatchObject({
      req: {
        rawHeaders: ['Host', 'x', 'Cookie', '[REDACTED]', 'X-Api-Key', '[REDACTED]', 'Accept', 'json'],
        rawTrailers: ['Proxy-Authorization', '[REDACTED]'],
      },
    });
  }, 30_000);

  it('redacts a secret sent as the request id, which is refused and logged', async () => {
    const ids = [`Bearer ${TOKEN}`, TOKEN, JWT, `${AWS_ID}`];
    const written = await writeFaults(
      thread,
      ids.map((requestId) => ({ thrown: new Error('refused id'), requestId })),
    );
    for (const [i, record] of written.records.entries()) {
      expect(record?.rejected_request_id, ids[i]).toMatch(/\[REDACTED/);
      expect(written.recordLines[i], ids[i]).not.toMatch(/16C7e42F292c|eyJzdWIiOiIx|IOSFODNN7EXAMPLE/);
    }
  }, 30_000);

  it('writes a __proto__ key as data, and pollutes nothing', async () => {
    const parsed = JSON.parse('{"__proto__":{"role":"admin"},"constructor":{"prototype":{"isAdmin":true}}}');
    const thrown = new Error('proto');
    Object.defineProperty(thrown, '__proto__', { value: { injected: 'yes' }, enumerable: true });
    const written = await writeFaults(thread, [{ thrown }, { thrown: new Error('attrs'), attributes: parsed }]);
    const [error, withAttributes] = written.recordLines.map((line) => JSON.parse(line ?? '{}'));
    // The key as data: an own property (read through its descriptor, not the accessor).
    const own = (object: object) => Object.getOwnPropertyDescriptor(object, '__proto__')?.value;
    expect(own(error.error)).toEqual({ injected: 'yes' });
    expect(own(withAttributes.attributes)).toEqual({ role: 'admin' });
    expect(({} as Record<string, unknown>).role).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  }, 30_000);
});

/**
 * Secrets the value patterns used to let through: a password in an authority written without a
 * scheme (`admin:S3cret@db:5432`, `admin:pa:ss:w0rd@db`, `admin:S3cret@db`), an auth scheme in
 * small or mixed letters (`basic …`, `BASIC …`, `token …`), the `response` of HTTP Digest, the
 * key of an Azure connection string and the signature of a signed URL, and an AWS key id or a
 * Stripe key glued to the word before it (`fooAKIA…`, `keysk_live_…`). Each
 * in plain text, escaped JSON and percent-encoded, at either end of a string and through the
 * length cut; the prose, times, versions and addresses that look like them, kept; and a stack
 * longer than the 64 KiB read of it, whose line across that bound used to be written in part.
 */
import { describe, expect, it } from 'vitest';
import { THREADS, unaccounted, writeFaults } from './support/hostile-records.js';
import { createRedactor, type Redacted } from './support/source.js';

const redactor = createRedactor();
/** Without the email rule, which would hide some near-misses (`bob@example.com`) on its own. */
const noEmails = createRedactor({ emails: false });

/** Text, and what it is written as (by both redactors). */
const REDACTED: readonly (readonly [text: string, expected: string])[] = [
  // An authority without a scheme: user and host kept, as `scheme://user:[REDACTED]@host`.
  ['connecting to admin:S3cretPass@db.internal:5432/app', 'connecting to admin:[REDACTED]@db.internal:5432/app'],
  ['user:pass@10.0.0.5', 'user:[REDACTED]@10.0.0.5'],
  ['dsn admin:Pg5ecret@db:5432 refused', 'dsn admin:[REDACTED]@db:5432 refused'],
  ['dsn admin:Pg5ecret@db/app', 'dsn admin:[REDACTED]@db/app'],
  ['x root:R00t/Pw@localhost', 'x root:[REDACTED]@localhost'],
  ['user:p@ss@10.0.0.5', 'user:[REDACTED]@10.0.0.5'],
  ['u:Pw9x@[::1]:6379: refused', 'u:[REDACTED]@[::1]:6379: refused'],
  ['{"dsn":"admin:S3cretPass@10.0.0.5:5432"}', '{"dsn":"admin:[REDACTED]@10.0.0.5:5432"}'],
  ['body={\\"dsn\\":\\"admin:S3cretPass@10.0.0.5\\"}', 'body={\\"dsn\\":\\"admin:[REDACTED]@10.0.0.5\\"}'],
  ['dsn=admin%3AEncPw77%4010.0.0.5%3A5432%2Fapp', 'dsn=admin%3A[REDACTED]%4010.0.0.5%3A5432%2Fapp'],
  ['next=%2F%2Fadmin%3AEncPw77%40db%3A5432%2F', 'next=%2F%2Fadmin%3A[REDACTED]%40db%3A5432%2F'],
  ['q=admin%3Ap%40ss%40db.internal&x=1', 'q=admin%3A[REDACTED]%40db.internal&x=1'],
  // A password holding `:` (the first colon after the user ends the user).
  ['admin:pa:ss:w0rd@db.internal:5432/app', 'admin:[REDACTED]@db.internal:5432/app'],
  ['u:a:b@10.0.0.5', 'u:[REDACTED]@10.0.0.5'],
  ['{"dsn":"admin:pa:ss@db:5432"}', '{"dsn":"admin:[REDACTED]@db:5432"}'],
  ['dsn=admin%3Apa%3Ass%3Aw0rd%40db.internal%3A5432', 'dsn=admin%3A[REDACTED]%40db.internal%3A5432'],
  // A single-label host at the end of a word, the password holding a digit or a symbol.
  ['admin:S3cret@db', 'admin:[REDACTED]@db'],
  ['connect admin:S3cret@db failed', 'connect admin:[REDACTED]@db failed'],
  ['admin:S3cret@db, retrying', 'admin:[REDACTED]@db, retrying'],
  ['admin:S3cret@db: ECONNREFUSED', 'admin:[REDACTED]@db: ECONNREFUSED'],
  ['via admin:S3cret@db.', 'via admin:[REDACTED]@db.'],
  ['(root:Pa$$@cache)', '(root:[REDACTED]@cache)'],
  ['admin:pa:ss!@db', 'admin:[REDACTED]@db'],
  ['{"dsn":"admin:S3cret@db"}', '{"dsn":"admin:[REDACTED]@db"}'],
  ['body={\\"dsn\\":\\"admin:S3cret@db\\"}', 'body={\\"dsn\\":\\"admin:[REDACTED]@db\\"}'],
  ['dsn=admin%3AS3cret%40db&x=1', 'dsn=admin%3A[REDACTED]%40db&x=1'],
  ['dsn=admin%3Apa%3As%21%40db', 'dsn=admin%3A[REDACTED]%40db'],
  // Auth schemes in any case, after a space, `%20` or `+`.
  ['basic dXNlcjpwYXNzd29yZA==', 'basic [REDACTED]'],
  ['BASIC dXNlcjpwYXNzd29yZA== sent', 'BASIC [REDACTED] sent'],
  ['failed with bAsIc dXNlcjpwYXNz', 'failed with bAsIc [REDACTED]'],
  ['digest 6629fae49393a05397450978507c4ef1 rejected', 'digest [REDACTED] rejected'],
  ['sent token 0123abcdOpaqueGh', 'sent token [REDACTED]'],
  ['TOKEN\tOpaqueTok3nValue', 'TOKEN\t[REDACTED]'],
  ['BeArEr abc123def456', 'BeArEr [REDACTED]'],
  ['{\\"auth\\":\\"basic dXNlcjpwYXNzd29yZA==\\"}', '{\\"auth\\":\\"basic [REDACTED]\\"}'],
  ['auth=basic%20dXNlcjpwYXNzd29yZA%3D%3D', 'auth=basic%20[REDACTED]%3D%3D'],
  // A value another rule already redacted whole is written as that rule wrote it (not `[REDACTED]]`).
  ['/cb#id_token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc&state=x', '/cb#id_token=[REDACTED:jwt]&state=x'],
  ['AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', 'AWS_SECRET_ACCESS_KEY=[REDACTED]'],
  ['_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789', '_authToken=[REDACTED:npm-token]'],
  // An AWS secret beside its key id, and a private key percent-encoded.
  ['AKIAIOSFODNN7EXAMPLE,wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '[REDACTED:aws-key-id],[REDACTED:aws-secret]'],
  [
    'k=-----BEGIN%20RSA%20PRIVATE%20KEY-----%0AMIIEow%2BAB%3D%0A-----END%20RSA%20PRIVATE%20KEY-----%0A&x=1',
    'k=[REDACTED:private-key]%0A&x=1',
  ],
  ['auth=Basic%20dXNlcjpwYXNz&x=1', 'auth=Basic%20[REDACTED]&x=1'],
  ['auth=token+0123abcdOpaqueGh&x=1', 'auth=token+[REDACTED]&x=1'],
  // A known token keeps its own name.
  ['token glpat-Ab3dEfGh1jKlMn0pQrS- expired', 'token [REDACTED:gitlab-token] expired'],
  // AWS key ids glued to the word before them.
  ['xAKIAIOSFODNN7EXAMPLE', 'x[REDACTED:aws-key-id]'],
  ['key=fooAKIAIOSFODNN7EXAMPLE used', 'key=foo[REDACTED:aws-key-id] used'],
  ['id 1ASIAIOSFODNN7EXAMPLE', 'id 1[REDACTED:aws-key-id]'],
  ['MYKEYAKIAIOSFODNN7EXAMPLE', 'MYKEY[REDACTED:aws-key-id]'],
  ['q=%22AKIAIOSFODNN7EXAMPLE%22', 'q=%22[REDACTED:aws-key-id]%22'],
  ['q=key%3DAKIAIOSFODNN7EXAMPLE', 'q=key%3D[REDACTED:aws-key-id]'],
  ['{\\"k\\":\\"xAKIAIOSFODNN7EXAMPLE\\"}', '{\\"k\\":\\"x[REDACTED:aws-key-id]\\"}'],
  // Stripe keys glued to the word before them.
  ['keysk_live_4eC39HqLyjWDarjtT1zdp7dc', 'key[REDACTED:stripe-key]'],
  ['id=xsk_live_4eC39HqLyjWDarjtT1zdp7dc used', 'id=x[REDACTED:stripe-key] used'],
  ['q=%22sk_live_4eC39HqLyjWDarjtT1zdp7dc%22', 'q=%22[REDACTED:stripe-key]%22'],
  ['{\\"k\\":\\"xrk_test_4eC39HqLyjWDarjtT1zdp7dc\\"}', '{\\"k\\":\\"x[REDACTED:stripe-key]\\"}'],
  // The response of HTTP Digest (the hash of the password), however the header is written.
  [
    'Authorization: Digest username="bob", realm="x", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/", response="6629fae49393a05397450978507c4ef1"',
    'Authorization: Digest [REDACTED]"bob", realm="x", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/", response="[REDACTED]"',
  ],
  [
    'h={"Authorization":"Digest username=\\"bob\\", response=\\"6629fae49393a05397450978507c4ef1\\""}',
    'h={"Authorization":"Digest [REDACTED]\\"bob\\", response=\\"[REDACTED]\\""}',
  ],
  [
    'h=Digest%20username%3D%22bob%22%2C%20response%3D%226629fae49393a05397450978507c4ef1%22',
    'h=Digest%20username%3D%22bob%22%2C%20response%3D%22[REDACTED]%22',
  ],
  [
    'digest username=bob,Response=6629FAE49393A05397450978507C4EF16629FAE49393A05397450978507C4EF1',
    'digest [REDACTED],Response=[REDACTED]',
  ],
  ['Authentication-Info: rspauth="d3b07384d113edec49eaa6238ad5ff00"', 'Authentication-Info: rspauth="[REDACTED]"'],
  // Azure connection strings, and the signatures of signed URLs (Azure SAS, S3 presigned).
  [
    'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=Eby8vdM02xNOcqFlqUwJPLl/mEtlCDXJ1OUzFT50uSRZ6IFsu==;EndpointSuffix=core.windows.net',
    'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=[REDACTED];EndpointSuffix=core.windows.net',
  ],
  [
    'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=Eby8vdM02xNOcq=',
    'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=[REDACTED]',
  ],
  ['GET /c/b?sv=2022-11-02&sp=r&sig=Eby8vdM02xNOcq%2BFlqUw%3D&x=1', 'GET /c/b?sv=2022-11-02&sp=r&sig=[REDACTED]&x=1'],
  [
    '/k?X-Amz-Date=20260101T000000Z&X-Amz-Signature=aeeed9bbccd4d02e',
    '/k?X-Amz-Date=20260101T000000Z&X-Amz-Signature=[REDACTED]',
  ],
];

/** Text that only looks like one of the above: written as it is (the email rule off). */
const KEPT: readonly string[] = [
  '12:30@home',
  'meet at 12:30@10.0.0.5',
  'line 10:5@module.js',
  'mailto:bob@example.com',
  'MAILTO:bob@example.com',
  'email:bob@example.com',
  'to:bob@example.com',
  'sip:alice@atlanta.example.com',
  'bob@example.com',
  'npm:lodash@4.17.21',
  'pkg:npm/lodash@4.17.21',
  'registry.internal/app:1.2.3@sha256:0123abcd',
  'ratio a:b@c',
  'see foo:bar@baz for details',
  'git@github.com:org/repo.git',
  'at handler (file:///srv/app.js:10:5)',
  'onClick@http://localhost:3000/main.js:10:5',
  'admin:pw@1.2.3.4.5',
  'basic authentication failed',
  'BASIC AUTHENTICATION FAILED',
  'token expired',
  'token refreshed for user',
  'the token was revoked after 3 tries',
  'digest mismatch for package',
  'tokens abc12345678',
  'mytoken abc12345678',
  'token+refresh',
  'the MALAYSIA and ASIAN regions, EurAsia, fantasia',
  'ASIAPACIFICREGION2024X',
  'sha1 2FD4E1C67A2D28FCED849EE1BB76E7391B93EB12',
  'trace 4bf92f3577b34da6a3ce929d0e0e4736',
  // Times with seconds, package tags, scoped packages and prose before a single label.
  '12:30:45@10.0.0.5',
  '2024-01-01T10:30:00@server.example.com',
  'at 10:30:00.125@host',
  'npm:lodash@latest',
  'npm:lodash2@next',
  'workspace:pkg2@beta',
  'npm:@scope/pkg@next',
  'pkg:npm/@scope/pkg@latest',
  'pkg:npm/@scope/pkg@2.0.0/dist',
  'pkg%3Anpm%2F%40scope%2Fpkg%402.0.0',
  '@scope/pkg@1.2.3',
  'see foo:bar@baz.',
  'ratio a:b@c, then',
  'a:b:c@d',
  'foo@http://localhost:3000/main.js:10:5',
  'at Object.<anonymous> (/srv/app.js:10:5)',
  // Stripe-like words and identifiers that are no key.
  'mask_live_feed_for_the_user_sessions',
  'disk_test_partitionsAreMountedOK',
  'task_test_abcdefghijklmnopqrstuvwxyz',
  'risk_live_2024',
  // Digest parameters that are not the credential, and responses that are not hashes.
  'Digest realm="x", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
  'response=200',
  'response="ok"',
  'response_time=6629fae49393a05397450978507c4ef1',
  'noresponse=6629fae49393a05397450978507c4ef1',
  // Words that hold `sig` or an Azure key's name.
  'signal=9 design=flat sigma=2 config: x',
  'SharedAccessKeyName=RootManageSharedAccessKey;AccountName=acct',
  // Near the token formats: a port flag, a prompt for the password, words and short ids.
  'mysql -h db -P3306 -uroot -p',
  'mysqladmin -P 3306 ping',
  'TASK0123456789abcdef0123456789abcdef',
  'hf_short_name',
  'xapp-config',
  // A certificate base64-encoded (public), and base64 that decodes to a JWT header alone.
  `ca=${Buffer.from('-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----').toString('base64')}`,
  `h=${Buffer.from('eyJhbGciOiJIUzI1NiJ9 and more words').toString('base64')}`,
];

describe('secrets in an authority without a scheme, in auth schemes of any case, and in glued key ids', () => {
  it.each(REDACTED)('redacts %j', (text, expected) => {
    expect(redactor.redactString(text)).toBe(expected);
    expect(noEmails.redactString(text)).toBe(expected);
  });

  it('keeps times, positions, versions, digests, addresses and prose that look like them', () => {
    expect(KEPT.filter((text) => noEmails.redactString(text) !== text)).toEqual([]);
    // With the email rule on, an address is written as an email, not as a password.
    expect(redactor.redactString('mailto:bob@example.com')).toBe('mailto:[REDACTED:email]');
    expect(redactor.redactString('name@example.com')).toBe('[REDACTED:email]');
  });
});

/** A secret, the index in it where the cut falls, and a part before that index which must not be written. */
const STRADDLING: readonly (readonly [secret: string, cutAt: number, part: string])[] = [
  ['admin:Pg5ecretPw@10.0.0.5:5432/shop', 12, 'Pg5ecr'],
  ['admin%3AEncPw77xyz%4010.0.0.5', 14, 'EncPw7'],
  ['basic dXNlcjpwYXNzd29yZA==', 14, 'dXNlcjpw'],
  ['xAKIAIOSFODNN7EXAMPLE', 12, 'AKIAIOSFOD'],
  ['keysk_live_4eC39HqLyjWDarjtT1zdp7dc', 16, 'sk_live_4eC3'],
  ['admin:pa:ss:w0rd@db', 12, 'pa:ss:'],
];

/** Words, then `secret` so that a cut at `limit` characters falls at `cutAt` inside it. */
function straddle(secret: string, cutAt: number, limit: number): string {
  const lead = limit - cutAt;
  return `${'word '.repeat(Math.ceil(lead / 5)).slice(0, lead - 1)} ${secret} and the rest`;
}

describe('the same secrets where the length cut goes through them', () => {
  it('are redacted before the cut (Redactor.redactString)', () => {
    for (const [secret, cutAt, part] of STRADDLING) {
      const out = redactor.redactString(straddle(secret, cutAt, 8192));
      expect(out, secret).not.toContain(part);
      expect(out, secret).toMatch(/\[truncated \d+ chars\]$/);
    }
  });
});

/** Text holding a secret, and the part of it that must not be written. */
const IN_TEXT: readonly (readonly [text: string, part: string])[] = [
  ['connect admin:S3cretPass@10.0.0.5:5432 refused', 'S3cretPass'],
  ['q=admin%3AEncPw77%40db%3A5432', 'EncPw77'],
  ['Authorization failed: basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNz'],
  ['BASIC dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNz'],
  ['auth=token+0123abcdOpaqueGh', '0123abcdOpaque'],
  ['cred=fooAKIAIOSFODNN7EXAMPLE denied', 'IOSFODNN7EXAMPLE'],
  ['cred=keysk_live_4eC39HqLyjWDarjtT1zdp7dc denied', '4eC39HqLyjWD'],
  ['connect admin:pa:ss:w0rd@db.internal:5432 refused', 'pa:ss:w0rd'],
  ['connect admin:S3cretPw@db failed', 'S3cretPw'],
  ['Authorization: Digest username="bob", response="6629fae49393a05397450978507c4ef1"', '6629fae49393'],
  ['bad connection string AccountName=acct;AccountKey=Eby8vdM02xNOcqFlqUw==;', 'Eby8vdM02xNO'],
  ['GET /c/b?sv=2022-11-02&sig=Eby8vdM02xNOcq%2BFlqUw%3D', 'Eby8vdM02xNO'],
];

describe.each(THREADS)('these secrets, written by a reporter on the %s thread', (thread) => {
  it('are redacted in a message, a field, a key and the attributes, and through the cut', async () => {
    const texts = [
      ...IN_TEXT,
      ...STRADDLING.map(([secret, cutAt, part]) => [straddle(secret, cutAt, 8192), part] as const),
      ...STRADDLING.map(([secret, cutAt, part]) => [straddle(secret, cutAt, 128), part] as const),
    ];
    const written = await writeFaults(
      thread,
      texts.flatMap(([text]) => [
        { thrown: new Error(text) },
        { thrown: Object.assign(new Error('upstream'), { response: { data: text } }) },
        { thrown: Object.assign(new Error('bad field'), { fields: { [text]: 1 } }) },
        { thrown: new Error('attributes'), attributes: { request: text } },
      ]),
    );
    const leaks = texts.flatMap(([text, part], i) =>
      [0, 1, 2, 3]
        .filter((j) => written.recordLines[i * 4 + j]?.includes(part) !== false)
        .map((j) => `${text.slice(-60)} (${j})`),
    );
    expect(leaks).toEqual([]);
    expect(unaccounted(written.stats)).toBe(0);
  }, 30_000);
});

/** How much of a stack is read (stack.ts): the line across this bound is dropped, not cut. */
const STACK_READ = 65_536;
/** A frame line of 1,101 characters: 58 of them reach the bound, within the 64 frames a record keeps. */
const LONG_FRAME = `    at handler (/srv/app/${'x'.repeat(1066)}.js:1:1)`;
/** Bounds that let a stack of 70 KB reach the redactor whole (the defaults cut it at 8,192). */
const LONG_STACKS = { maxStringLength: 100_000, maxTotalLength: 400_000 } as const;

/** A secret, and the indexes in it where the 64 KiB bound falls. */
const ACROSS_STACK_BOUND: readonly (readonly [secret: string, cutsAt: readonly number[]])[] = [
  ['sk_live_4eC39HqLyjWDarjtT1zdp7dc', [10, 16, 23]],
  ['ghp_16C7e42F292c6912E7710c838347Ae178B4a', [12, 30]],
  ['postgres://orders:Pg5ecretPw@db.internal:5432/shop', [22, 27]],
  ['admin:Pg5ecretPw@db.internal:5432', [10]],
  ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', [15]],
  ['aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', [40]],
];

/**
 * An error whose stack's frame line holding `secret` is cut by the 64 KiB bound `cutAt` characters
 * into it; `tail` follows the secret.
 */
function stackAcross(secret: string, cutAt: number, tail = ') and the rest'): Error {
  let stack = 'Error: upstream refused the call';
  while (stack.length + 1 + LONG_FRAME.length < STACK_READ - 1200) stack += `\n${LONG_FRAME}`;
  const line = '\n    at charge (';
  const pad = STACK_READ - cutAt - stack.length - line.length;
  stack += `${line}${' '.repeat(pad)}${secret}${tail}\n    at next (/srv/app/x.js:1:1)`;
  const error = new Error('upstream refused the call');
  error.stack = stack;
  return error;
}

/** Each case: the error, and the part of its secret before the bound (never to be written). */
const STACK_CASES = ACROSS_STACK_BOUND.flatMap(([secret, cutsAt]) =>
  cutsAt.map((cutAt) => ({ error: stackAcross(secret, cutAt), part: secret.slice(0, cutAt) })),
);

describe('a stack longer than the 64 KiB read of it', () => {
  it('drops the line across the bound, so no secret on it is written in part (Redactor.redact)', () => {
    const long = createRedactor(LONG_STACKS);
    for (const { error, part } of STACK_CASES) {
      expect((error.stack ?? '').indexOf(part), part).toBe(STACK_READ - part.length);
      const out = long.redact(error) as { [key: string]: Redacted };
      const stack = out.stack as string[];
      expect(JSON.stringify(out), part).not.toContain(part);
      // The frames before the bound are kept, and `...` says the rest was not read.
      expect(stack.length, part).toBeGreaterThan(50);
      expect(stack.at(-2), part).toMatch(/^at handler /);
      expect(stack.at(-1), part).toBe('...');
    }
  });

  it('keeps a line that ends right at the bound, redacted whole', () => {
    const key = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    const error = stackAcross(key, key.length, '\n    at more (/srv/app/y.js:2:2)');
    expect(error.stack?.[STACK_READ]).toBe('\n');
    const { stack } = createRedactor(LONG_STACKS).redact(error) as { stack: string[] };
    expect(stack.at(-2)).toMatch(/^at charge \( +\[REDACTED:stripe-key\]$/);
    expect(stack.at(-1)).toBe('...');
  });
});

describe.each(THREADS)('a stack across the 64 KiB bound, written by a reporter on the %s thread', (thread) => {
  it('is written without the line the bound goes through', async () => {
    const written = await writeFaults(
      thread,
      STACK_CASES.map(({ error }) => ({ thrown: error })),
      LONG_STACKS,
    );
    const leaks = STACK_CASES.filter(({ part }, i) => written.recordLines[i]?.includes(part) !== false).map(
      ({ part }) => part,
    );
    expect(leaks).toEqual([]);
    const stack = (written.records[0]?.error as { stack?: unknown } | undefined)?.stack;
    expect(Array.isArray(stack) && stack.at(-1) === '...').toBe(true);
    expect(unaccounted(written.stats)).toBe(0);
  }, 30_000);
});

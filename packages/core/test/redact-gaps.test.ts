/**
 * Secrets the value patterns used to let through: a password in an authority written without a
 * scheme (`admin:S3cret@db:5432`), an auth scheme in small or mixed letters (`basic …`,
 * `BASIC …`, `token …`), and an AWS key id glued to the word before it (`fooAKIA…`). Each in
 * plain text, escaped JSON and percent-encoded, at either end of a string and through the length
 * cut; and the prose, times, versions and addresses that look like them, kept.
 */
import { describe, expect, it } from 'vitest';
import { THREADS, unaccounted, writeFaults } from './support/hostile-records.js';
import { createRedactor } from './support/source.js';

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

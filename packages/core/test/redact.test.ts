import { describe, expect, it } from 'vitest';
import { SECRET_PATTERNS } from '../src/redact/patterns.js';
import { CARD_PATTERN, EMAIL_PATTERN } from '../src/redact/personal-patterns.js';
import { combinedHints } from '../src/redact/redactor.js';
import { createRedactor, escapeLogText, luhnValid } from './support/source.js';

const redactor = createRedactor();

describe('value patterns', () => {
  it.each([
    ['postgres://app:hunter2@db.internal:5432/shop', 'postgres://app:[REDACTED]@db.internal:5432/shop', 'hunter2'],
    [
      'mongodb+srv://root:S3cr3t!@cluster0.example.net/db',
      'mongodb+srv://root:[REDACTED]@cluster0.example.net/db',
      'S3cr3t',
    ],
    [
      'Server=db;User Id=sa;Password=P@ssw0rd;Database=x',
      'Server=db;User Id=sa;Password=[REDACTED];Database=x',
      'P@ssw0rd',
    ],
    ['authorization: Bearer abcdef0123456789abcdef', 'authorization: Bearer [REDACTED]', 'abcdef0123456789'],
    ['Basic dXNlcjpwYXNzd29yZA==', 'Basic [REDACTED]', 'dXNlcjpwYXNzd29yZA'],
    ['key AKIAIOSFODNN7EXAMPLE used', 'key [REDACTED:aws-key-id] used', 'AKIAIOSFODNN7EXAMPLE'],
    [
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'aws_secret_access_key = [REDACTED]',
      'wJalrXUtnFEMI',
    ],
    ['token ghp_0123456789abcdefghijklmnopqrstuvwxyz', 'token [REDACTED:github-token]', 'ghp_0123456789'],
    ['stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'stripe [REDACTED:stripe-key]', 'sk_live_'],
    ['slack xoxb-123456789012-abcdefghijkl', 'slack [REDACTED:slack-token]', 'xoxb-'],
    ['card 4111 1111 1111 1111 declined', 'card [REDACTED:card] declined', '4111'],
    ['mail alice@example.com now', 'mail [REDACTED:email] now', 'alice@'],
    ['?api_key=abc123&x=1', '?api_key=[REDACTED]&x=1', 'abc123'],
    // Environment names glue the key to a prefix: no word boundary before it.
    ['connect failed DB_PASSWORD=Zq9hunter2', 'connect failed DB_PASSWORD=[REDACTED]', 'Zq9hunter2'],
    ['PGPASSWORD=Zq9hunter2 psql -h db', 'PGPASSWORD=[REDACTED] psql -h db', 'Zq9hunter2'],
    ['GITHUB_API_TOKEN=Zq9hunter2', 'GITHUB_API_TOKEN=[REDACTED]', 'Zq9hunter2'],
    ['JWT_SECRET: "Zq9 hunter2"', 'JWT_SECRET: [REDACTED]', 'Zq9'],
    ['SECRET_KEY="django-insecure-Zq9"', 'SECRET_KEY=[REDACTED]', 'Zq9'],
    ['APP_ENCRYPTION_KEY=Zq9hunter2 loaded', 'APP_ENCRYPTION_KEY=[REDACTED] loaded', 'Zq9hunter2'],
    ['signing_key: Zq9hunter2', 'signing_key: [REDACTED]', 'Zq9hunter2'],
    ['MASTER_KEY=Zq9hunter2', 'MASTER_KEY=[REDACTED]', 'Zq9hunter2'],
    ['credentials=admin:Zq9hunter2', 'credentials=[REDACTED]', 'Zq9hunter2'],
    // Unencoded passwords holding `/` or `@`: the password runs to the host's `@`.
    ['postgres://app:Zq9/x@db.internal:5432/prod', 'postgres://app:[REDACTED]@db.internal:5432/prod', 'Zq9'],
    ['redis://app:p@Zq9hunter2@cache:6379/0 down', 'redis://app:[REDACTED]@cache:6379/0 down', 'Zq9hunter2'],
    ['https://u:pw1@api.internal/v1?next=/a', 'https://u:[REDACTED]@api.internal/v1?next=/a', 'pw1'],
    // A cookie header quoted in a message.
    ['sent Cookie: session=Zq9hunter2; theme=dark', 'sent Cookie: [REDACTED]', 'Zq9hunter2'],
    ['{"set-cookie": "sid=Zq9hunter2; Path=/", "ok": 1}', '{"set-cookie": [REDACTED], "ok": 1}', 'Zq9hunter2'],
  ])('redacts %j', (input, expected, secret) => {
    const out = redactor.redactString(input);
    expect(out).toBe(expected);
    expect(out).not.toContain(secret);
  });

  it('redacts JWTs and PEM private keys', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    expect(redactor.redactString(`token=${jwt}`)).not.toContain('dozjg');
    expect(redactor.redactString(`got ${jwt} here`)).toBe('got [REDACTED:jwt] here');
    const pem = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----';
    expect(redactor.redactString(`key: ${pem}`)).toBe('key: [REDACTED:private-key]');
  });

  it('keeps text that only looks like a secret pair or a URL with a password', () => {
    for (const text of [
      'tokens: 5 of 8 used',
      'password_reset_at=2026-12-04',
      'https://api.internal:8443/v1/orders?page=2',
      'cookies were disabled',
    ]) {
      expect(redactor.redactString(text)).toBe(text);
    }
  });

  it('keeps numbers that are not card numbers (Luhn)', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(redactor.redactString('order 1234567890123 failed')).toBe('order 1234567890123 failed');
  });

  it('redacts IPs only when asked', () => {
    expect(redactor.redactString('connect 10.1.2.3:5432')).toBe('connect 10.1.2.3:5432');
    const withIps = createRedactor({ ips: true });
    expect(withIps.redactString('connect 10.1.2.3:5432 and [fe80::1]:80')).toBe(
      'connect [REDACTED:ip]:5432 and [[REDACTED:ip]]:80',
    );
    expect(createRedactor({ emails: false }).redactString('a@example.com')).toBe('a@example.com');
  });

  it('accepts extra patterns', () => {
    const custom = createRedactor({ patterns: [{ name: 'tenant', regex: /tenant-\d+/g }] });
    expect(custom.redactString('tenant-42 failed')).toBe('[REDACTED:tenant] failed');
  });
});

describe('log-injection safety', () => {
  it('escapes CR, LF, ANSI escapes and U+2028/2029', () => {
    expect(escapeLogText('a\r\nb\u001b[31mred\u2028\u2029\u0000')).toBe('a\\r\\nb\\x1b[31mred\\u2028\\u2029\\x00');
    expect(redactor.redactString('user\n{"level":50,"msg":"forged"}')).toBe('user\\n{"level":50,"msg":"forged"}');
    expect(escapeLogText('tab\tkept')).toBe('tab\tkept');
  });

  it('escapes bidirectional embedding, override and isolate controls (a viewer would show other words)', () => {
    expect(escapeLogText('user \u202egnp.exe\u202a\u202c\u2066x\u2069')).toBe(
      'user \\u202egnp.exe\\u202a\\u202c\\u2066x\\u2069',
    );
    expect(redactor.redactString('admin\u202e nimda')).toBe('admin\\u202e nimda');
    // Marks that only set a direction (LRM, RLM, ALM) are kept: they cannot reorder words.
    expect(escapeLogText('\u200e\u200f\u061c')).toBe('\u200e\u200f\u061c');
  });

  it('escapes invisible characters that hide text; keeps the joiners and marks scripts need', () => {
    expect(escapeLogText('a\u200bb\u2060c\u2064d\ufeffe')).toBe('a\\u200bb\\u2060c\\u2064d\\ufeffe');
    // Tag characters spell text no viewer shows ("hi" here): each escaped whole, both halves.
    expect(escapeLogText('ok\u{e0068}\u{e0069}')).toBe('ok\\udb40\\udc68\\udb40\\udc69');
    expect(redactor.redactString('x\u{e0001}')).toBe('x\\udb40\\udc01');
    // ZWNJ and ZWJ (Persian, Indic scripts, emoji sequences) stay.
    expect(escapeLogText('\u0645\u06cc\u200c\u0634\u0648\u062f \u{1f468}\u200d\u{1f469}')).toBe(
      '\u0645\u06cc\u200c\u0634\u0648\u062f \u{1f468}\u200d\u{1f469}',
    );
  });
});

describe('structured redaction', () => {
  it('denies a key by a global or sticky rule every time, not every other time', () => {
    const strict = createRedactor({ denyKeys: [/internal/gi, /^acct$/y] });
    for (let i = 0; i < 4; i += 1) {
      expect(strict.redact({ myInternal: 'v' })).toEqual({ myInternal: '[REDACTED]' });
    }
    for (let i = 0; i < 4; i += 1) {
      expect(strict.redact({ acct: '1' })).toEqual({ acct: '[REDACTED]' });
    }
    expect(strict.redact({ other: 'o' })).toEqual({ other: 'o' });
  });

  it('redacts every match of a pattern given without g, with y, or with a global hint, on every text', () => {
    const plain = createRedactor({ patterns: [{ name: 'acct', regex: /ACCT-\d+/ }] });
    expect(plain.redactString('ACCT-1 and ACCT-2')).toBe('[REDACTED:acct] and [REDACTED:acct]');
    const sticky = createRedactor({ patterns: [{ name: 'acct', regex: /ACCT-\d+/y }] });
    expect(sticky.redactString('x ACCT-1')).toBe('x [REDACTED:acct]');
    const hinted = createRedactor({ patterns: [{ name: 'acct', regex: /ACCT-\d+/g, hint: /ACCT/g }] });
    for (let i = 0; i < 3; i += 1) {
      expect(hinted.redactString('x ACCT-1')).toBe('x [REDACTED:acct]');
      expect(hinted.redactString('ACCT-2 y')).toBe('[REDACTED:acct] y');
    }
    expect(hinted.redact({ a: 'ACCT-3', b: ['ACCT-4', 'ACCT-5'] })).toEqual({
      a: '[REDACTED:acct]',
      b: ['[REDACTED:acct]', '[REDACTED:acct]'],
    });
  });

  it('answers the same for a key after more distinct keys than it remembers', () => {
    const many = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i]));
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < 1500; i += 50) {
        const out = redactor.redact({ ...Object.fromEntries(Object.entries(many).slice(i, i + 50)), password: 'p' });
        expect(out).toMatchObject({ password: '[REDACTED]', [`k${i}`]: i });
      }
    }
    const long = `${'x'.repeat(80)}_password`;
    expect(redactor.redact({ [long]: 'v' })).toEqual({ [long]: '[REDACTED]' });
    expect(redactor.redact({ [long]: 'v' })).toEqual({ [long]: '[REDACTED]' });
  });

  it('applies key rules over nested objects, keeping allowed keys', () => {
    const out = createRedactor({ allowKeys: ['tokenCount'], denyKeys: ['ssn_last4', /^x-internal-/i] }).redact({
      user: { name: 'a', password: 'p', apiKey: 'k', nested: { Authorization: 'Bearer x', cookie: 'sid=1' } },
      tokenCount: 12,
      accessToken: 'abc',
      ssn_last4: '1234',
      'x-internal-host': 'db1',
      headers: { 'set-cookie': ['a=b'] },
    });
    expect(out).toEqual({
      user: {
        name: 'a',
        password: '[REDACTED]',
        apiKey: '[REDACTED]',
        nested: { Authorization: '[REDACTED]', cookie: '[REDACTED]' },
      },
      tokenCount: 12,
      accessToken: '[REDACTED]',
      ssn_last4: '[REDACTED]',
      'x-internal-host': '[REDACTED]',
      headers: { 'set-cookie': '[REDACTED]' },
    });
  });

  it('walks errors: message, stack, own fields, cause chains and AggregateErrors', () => {
    const root = Object.assign(new Error('connect to postgres://app:pw1@db/x failed'), {
      code: 'ECONNREFUSED',
      password: 'pw2',
    });
    const aggregate = new AggregateError([new Error('token=pw3')], 'several failed', { cause: root });
    const out = redactor.redact(aggregate) as Record<string, unknown>;
    const text = JSON.stringify(out);
    expect(text).not.toMatch(/pw1|pw2|pw3/);
    expect(out.type).toBe('AggregateError');
    expect(out.message).toBe('several failed');
    expect((out.cause as Record<string, unknown>).code).toBe('ECONNREFUSED');
    expect(((out.errors as unknown[])[0] as Record<string, unknown>).message).toBe('token=[REDACTED]');
    expect(Array.isArray(out.stack)).toBe(true);
    expect((out.stack as string[]).length).toBeGreaterThan(1);
    expect((out.stack as string[]).some((line) => line.includes('\n'))).toBe(false);
    expect((out.stack as string[])[1]).toMatch(/^at /);
  });

  it('is circular-safe, depth- and size-bounded, and survives hostile values', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    expect(redactor.redact(circular)).toEqual({ a: 1, self: '[Circular]' });
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 50; i += 1) {
      deep.next = {};
      deep = deep.next as Record<string, unknown>;
    }
    expect(JSON.stringify(redactor.redact(top)).length).toBeLessThan(200);
    const wide = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]));
    const wideOut = redactor.redact(wide) as Record<string, unknown>;
    expect(Object.keys(wideOut).length).toBe(101);
    expect(wideOut['[more keys]']).toBe(900);
    const long = redactor.redact('x'.repeat(100_000)) as string;
    expect(long.length).toBeLessThan(8300);
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
        get: () => {
          throw new Error('trap');
        },
      },
    );
    expect(() => redactor.redact(hostile)).not.toThrow();
    const getter = Object.defineProperty({ ok: 1 }, 'bad', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    expect(redactor.redact(getter)).toEqual({ ok: 1, bad: null });
    expect(redactor.redact([1n, Symbol('s'), undefined, Number.NaN, new Uint8Array(3), new Map([[1, 2]])])).toEqual([
      '1n',
      '[Symbol]',
      null,
      'NaN',
      '[Uint8Array 3 bytes]',
      '[Map size=1]',
    ]);
  });
});

describe('card pattern and identifiers', () => {
  it('never fires inside a UUID, a hex id or a trace id, and still catches a real card', () => {
    const redactor = createRedactor();
    for (const id of ['00000000-0000-0000-0000-000000000000', '4111111111111111-abc', 'a4111111111111111']) {
      expect(redactor.redactString(`refused id ${id}`)).toBe(`refused id ${id}`);
    }
    expect(redactor.redactString('card 4111 1111 1111 1111 charged')).toBe('card [REDACTED:card] charged');
  });
});

describe('pattern hints', () => {
  it('skip no secret: every default pattern still fires on its own sample', () => {
    const redactor = createRedactor();
    const samples = [
      'postgres://app:s3cretpass@db.internal:5432/app',
      'Authorization: Bearer abcdefgh12345678',
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc',
      'key AKIAIOSFODNN7EXAMPLE here',
      'aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'ghp_0123456789abcdefghijklmnopqrstuvwxyz',
      'glpat-abcdefghij0123456789',
      'xoxb-1234567890-abcdefghij',
      'sk_live_0123456789abcdefABCDEF',
      'AIzaSyA0123456789abcdefghijklmnopqrstuv',
      'npm_0123456789abcdefghijklmnopqrstuvwxyz',
      'sk-proj-0123456789abcdefghijklmnopqrstuvwxyzABCD',
      'password=hunter2',
      'card 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 end',
      'mail alice@example.com',
    ];
    for (const sample of samples) expect(redactor.redactString(sample)).toContain('[REDACTED');
  });
});

describe('joined pattern hints (#27)', () => {
  const patterns = [...SECRET_PATTERNS, CARD_PATTERN, EMAIL_PATTERN];
  const each = (text: string) => patterns.some((p) => p.hint?.test(text) === true);

  it('say yes exactly when some pattern hint does', () => {
    const any = combinedHints(patterns);
    expect(any).toBeDefined();
    const pieces = [
      'AWS',
      'aws',
      'Key',
      'PRIVATE KEY',
      '://u@',
      'eyJ',
      'Bearer',
      'ghp_',
      'glpat-',
      'xoxb',
      'hooks.slack.com',
    ];
    pieces.push('_live_', 'AIza', 'npm_', 'SG.', 'sk-', 'SESSION', '12 34', '1-2-3-4', '@', 'plain', ' ', 'ü', '\n');
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 5000; i += 1) {
      let text = '';
      for (let j = next() % 6; j > 0; j -= 1) text += pieces[next() % pieces.length];
      expect(any?.(text), text).toBe(each(text));
    }
  });

  it('are not joined when a hint is missing or has a backreference', () => {
    expect(combinedHints([...patterns, { name: 'x', regex: /x/g }])).toBeUndefined();
    expect(combinedHints([...patterns, { name: 'y', regex: /y/g, hint: /(a)\1/ }])).toBeUndefined();
    const redactor = createRedactor({ patterns: [{ name: 'pair', regex: /(\w)\1/g, hint: /(\w)\1/ }] });
    expect(redactor.redactString('a bb c')).toBe('a [REDACTED:pair] c');
  });
});

describe('key=value pairs in brackets', () => {
  const redactor = createRedactor();
  it.each([
    ['(password=hunter2)', '(password=[REDACTED])'],
    ['[token: abc123]', '[token: [REDACTED]]'],
    ['<api_key=xyz>', '<api_key=[REDACTED]>'],
    ['f(secret=abc)) next', 'f(secret=[REDACTED])) next'],
    ['{password=hunter2}', '{password=[REDACTED]}'],
  ])('keeps the brackets that close %s', (text, redacted) => {
    expect(redactor.redactString(text)).toBe(redacted);
  });

  it.each(['password=ab)cd', 'password=ab]cd>ef', `password=${'x'.repeat(500)})x`])(
    'redacts a value with a bracket inside it whole: %s',
    (text) => {
      const out = redactor.redactString(text);
      expect(out).toMatch(/^password=\[REDACTED\]/);
      expect(out).not.toMatch(/cd|ef|xxxx/);
    },
  );
});

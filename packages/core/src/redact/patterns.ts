/**
 * Value patterns: secrets found inside strings (messages, stacks, SQL, URLs), after Sentry
 * relay's PII rules and gitleaks' token rules. Each pattern is linear-time on bounded input
 * (no nested quantifiers over overlapping classes). Personal data (cards, emails, IP addresses)
 * is in `personal-patterns.ts`.
 */
import { AUTHORITY_PATTERNS } from './authority.js';
import type { ValuePattern } from './value-pattern.js';

export type { ValuePattern } from './value-pattern.js';

/**
 * Where a token starts and ends: not glued to another letter or digit. `\b` failed a token that
 * ends in `-` or `/` (a Google key, a GitLab token, an AWS secret: about one in thirty) and one
 * glued to `_` (`KEY_AKIA…`).
 */
const T0 = '(?<![A-Za-z0-9])';
const T1 = '(?![A-Za-z0-9])';
/** A token whose characters include `-`: it cannot start right after one either (`eyJ-eyJ-…` rescanned every run). */
const T0D = '(?<![A-Za-z0-9_-])';

/** A global regex from pieces (the token boundaries above and a body). */
const re = (...parts: string[]): RegExp => new RegExp(parts.join(''), 'g');

/** `word` in any case, for a regex that is otherwise case-sensitive (`[Bb][Aa]…`). */
const anyCase = (word: string): string => [...word].map((c) => `[${c.toUpperCase()}${c}]`).join('');

/** A character of an HTTP credential (token68, RFC 9110). */
const CREDENTIAL = '[A-Za-z0-9._~+/=-]';

/** The first `chars` characters of a base64 text, decoded (as Latin-1: only ASCII is looked for). */
function decodedStart(base64: string, chars: number): string {
  const start = base64.slice(0, chars - (chars % 4));
  return Buffer.from(start, 'base64').toString('latin1');
}

/** 8 or more characters of `cls` that look like a credential: a digit, a `=` or a capital after a small letter. */
const credential = (cls: string): string => `(?=${cls}{0,2047}(?:[0-9=]|[a-z][A-Z]))${cls}{8,2048}`;

/** Secrets that are never useful in a log: always on. */
export const SECRET_PATTERNS: readonly ValuePattern[] = [
  // A key without its end (a text cut, a key pasted in part) is redacted too: its body is the secret.
  // The search for the end stops at the next BEGIN, so each stretch of text is scanned once.
  {
    name: 'private-key',
    hint: /PRIVATE KEY/,
    regex:
      /-----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:(?:(?!-----BEGIN)[\s\S]){0,16384}?-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s\\:,-]{0,16384})/g,
  },
  // The same key percent-encoded (a query or form parameter, `encodeURIComponent` of the PEM:
  // spaces `%20` or `+`, line ends `%0A`, `+/=` as `%2B %2F %3D`); the hint needs the encoded space.
  {
    name: 'private-key',
    hint: /PRIVATE(?:%20|\+)KEY/i,
    regex:
      /-----BEGIN(?:[A-Z0-9+]|%20){0,40}PRIVATE(?:%20|\+)KEY(?:(?:%20|\+)BLOCK)?-----(?:(?:(?!-----BEGIN)[\s\S]){0,16384}?-----END(?:[A-Z0-9+]|%20){0,40}PRIVATE(?:%20|\+)KEY(?:(?:%20|\+)BLOCK)?-----|[A-Za-z0-9%+/=\\:,-]{0,16384})/gi,
  },
  // The same key base64-encoded whole (a Kubernetes secret, a `PRIVATE_KEY_B64` variable): its
  // text starts with `-----BEGIN`, so its encoding with `LS0tLS1CRUdJTi` (wrapped in lines or
  // not); only the start is decoded, to find `PRIVATE KEY` in the header (a certificate is kept).
  {
    name: 'private-key',
    hint: /LS0tLS1CRUdJTi/,
    regex: re(T0, 'LS0tLS1CRUdJTi[A-Za-z0-9+/\\r\\n]{16,32768}={0,2}', T1),
    accept: (match) => /PRIVATE KEY/.test(decodedStart(match, 96)),
  },
  // scheme://user:password@host -> keep scheme, user and host (internal logs need them), drop the password.
  // Passwords are often pasted unencoded: the password runs to the last `@` before the host (it may
  // hold `/` and `@`); the host is what follows with no further `@` up to a path, space or the end.
  // The hint looks no further than the user part (`\S*@` rescanned the rest of the text at every
  // `://`: seconds for 64 KB of `a://`).
  {
    name: 'url-password',
    hint: /:\/\/[^\s:@/]{0,128}:/,
    regex: /\b([a-z][a-z0-9+.-]{1,24}:\/\/[^\s:@/]{0,128}):\S{1,256}?@(?=[^\s@/?#]*(?:[\s/?#]|$))/gi,
    replace: '$1:[REDACTED]@',
  },
  // The same URL percent-encoded inside another (a `?next=` or `redirect_uri=` parameter).
  {
    name: 'url-password',
    hint: /%3A%2F%2F/i,
    regex: /\b([a-z][a-z0-9+.-]{1,24}%3A%2F%2F[^\s%:@/]{0,128})%3A[^\s@]{1,256}?%40/gi,
    replace: '$1%3A[REDACTED]%40',
  },
  // user:password@host without a scheme (authority.ts).
  ...AUTHORITY_PATTERNS,
  // Header and payload are enough to redact: a token cut before its signature still carries its claims.
  {
    name: 'jwt',
    hint: /eyJ/,
    regex: re(T0D, 'eyJ[A-Za-z0-9_-]{4,}\\.eyJ[A-Za-z0-9_-]{4,}(?:\\.[A-Za-z0-9_-]{0,1024})?'),
  },
  // A JWT base64-encoded again (`eyJ` encodes as `ZXlK`): a token stored or passed as base64.
  {
    name: 'jwt',
    hint: /ZXlK/,
    regex: re(T0, 'ZXlK[A-Za-z0-9+/]{16,8192}={0,2}', T1),
    accept: (match) => /^eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4}/.test(decodedStart(match, 2048)),
  },
  // An Authorization header's value, whatever its scheme (GitHub's `token`, a bare key, a short token).
  {
    name: 'authorization',
    hint: /authorization/i,
    regex:
      /(authorization(?:\\?["']|%22)?\s{0,4}(?:[=:]|%3[Aa])\s{0,4}(?:\\?["'])?(?:(?:bearer|basic|digest|token|negotiate|ntlm|apikey|dpop|mac|aws4-hmac-sha256)[ \t]+)?)(?!\[REDACTED)[^\s;&,'"}\\]{1,2048}/gi,
    replace: '$1[REDACTED]',
  },
  {
    name: 'auth-header',
    hint: /Bearer|bearer|BEARER|Basic|Digest|Token/,
    regex: /\b(Bearer|bearer|BEARER|Basic|Digest|Token)\s+[A-Za-z0-9._~+/=-]{8,2048}/g,
    replace: '$1 [REDACTED]',
  },
  // No boundary before the id: it is found glued to a name or a value (`fooAKIA…`, `%22AKIA…`,
  // `key=xAKIA…`). Only the last 20 characters of a run of capitals and digits can match (T1), and
  // words are not such runs.
  {
    name: 'aws-key-id',
    hint: /A3T|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA/,
    regex: re('(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}', T1),
  },
  // No boundary before the name (MY_AWS_SECRET_ACCESS_KEY); the secret may end in `/` or `+`.
  {
    name: 'aws-secret',
    hint: /aws/i,
    regex:
      /(aws[_-]?(?:secret[_-]?)?(?:access[_-]?)?key(?:[_-]?id)?)(\\?["']?\s{0,4}[:=]\s{0,4}\\?["']?)[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi,
    replace: '$1$2[REDACTED]',
  },
  // The secret beside its key id, without a name of its own (the credentials CSV, `id:secret`,
  // `id secret`): 40 characters of base64 right after the key id the rule above redacted.
  {
    name: 'aws-secret',
    hint: /:aws-key-id\]/,
    regex:
      /(\[REDACTED:aws-key-id\](?:\\?["'])?\s{0,4}[,:;|= \t]\s{0,4}(?:\\?["'])?)[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    replace: '$1[REDACTED:aws-secret]',
  },
  {
    name: 'github-token',
    hint: /gh[pousr]_|github_pat_/,
    regex: re(T0, '(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})', T1),
  },
  { name: 'gitlab-token', hint: /glpat-/, regex: re(T0D, 'glpat-[A-Za-z0-9_-]{20,64}', T1) },
  { name: 'slack-token', hint: /xox/, regex: re(T0D, 'xox[abposr]-[A-Za-z0-9-]{10,255}', T1) },
  { name: 'slack-webhook', hint: /hooks\.slack\.com/, regex: /hooks\.slack\.com\/services\/[A-Za-z0-9+/]{20,200}/g },
  // A Stripe key is also found glued to the word before it (`keysk_live_…`, `token=xsk_live_…`,
  // `%22sk_live_…`), as the AWS key id is: there the tail has to be key-shaped (24 or more
  // characters, the length of Stripe's shortest keys, holding a digit), so an identifier that
  // only ends in `sk_test_` (`disk_test_partitions`) is kept. Only the end keeps its boundary
  // (T1); a start is tried once per `_live_`/`_test_`, and the tail stops at the next `_`.
  {
    name: 'stripe-key',
    hint: /_(?:live|test)_/,
    regex: re(
      `(?:${T0}(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,255}`,
      '|(?<=[A-Za-z0-9])(?:sk|rk|pk)_(?:live|test)_(?=[A-Za-z]{0,254}[0-9])[A-Za-z0-9]{24,255})',
      T1,
    ),
  },
  { name: 'google-api-key', hint: /AIza/, regex: re(T0D, 'AIza[0-9A-Za-z_-]{35}', T1) },
  { name: 'npm-token', hint: /npm_/, regex: re(T0, 'npm_[A-Za-z0-9]{36}', T1) },
  { name: 'sendgrid-key', hint: /SG\./, regex: re(T0D, 'SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}', T1) },
  { name: 'openai-key', hint: /sk-/, regex: re(T0D, 'sk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,255}', T1) },
  // Slack app-level tokens (`xapp-1-A0…-…-<hex>`), not among the `xox` kinds above.
  { name: 'slack-app-token', hint: /xapp-/, regex: re(T0D, 'xapp-\\d-[A-Za-z0-9-]{20,255}', T1) },
  // Hugging Face user and organization tokens: 34 letters after the prefix (as gitleaks has them).
  { name: 'huggingface-token', hint: /hf_|api_org_/, regex: re(T0D, '(?:hf|api_org)_[A-Za-z]{34}', T1) },
  // DigitalOcean personal, OAuth and refresh tokens.
  { name: 'digitalocean-token', hint: /_v1_/, regex: re(T0D, 'do[opr]_v1_[a-f0-9]{64}', T1) },
  // A Twilio API key sid: `SK` and 32 hex digits (hex only, so words are not such runs).
  { name: 'twilio-key', hint: /SK/, regex: re(T0D, 'SK[0-9a-fA-F]{32}', T1) },
  // The password of a MySQL or MariaDB command line, glued to its flag (`mysql -uroot -pS3cret`):
  // a command quoted in an error (a failed backup, a migration) carries it. Only after the
  // command's name, within its line; `-p` alone (prompt for it) has nothing to redact. Case
  // matters: `-P3306` is the port.
  {
    name: 'mysql-cli-password',
    hint: /mysql|mariadb/i,
    regex:
      /((?<![A-Za-z0-9_-])(?:mysql(?:dump|admin|import|check|pump|sh)?|mariadb(?:-dump)?)(?![A-Za-z0-9_-])[^\r\n]{0,256}?\s-p)([^\s'"\\]{1,256})/g,
    replace: '$1[REDACTED]',
  },
  // The schemes of `auth-header` in any other case (`basic`, `BASIC`, `digest`, `token`), also
  // after `%20` or `+` (form-encoded), and after the token rules (a known token keeps its name).
  // Prose says "basic authentication failed" and "token expired": here the credential has to
  // look like one, holding a digit, a `=` or a capital after a small letter. After `+` it holds
  // no `+` (encoded as `%2B`): else `token+token+…` would be one credential read again at each `token`.
  {
    name: 'auth-header',
    hint: /basic|digest|token|bearer/i,
    regex: re(
      `(?<![A-Za-z])(${['basic', 'digest', 'token', 'bearer'].map(anyCase).join('|')})`,
      `(?:([ \\t]{1,8}|%20)${credential(CREDENTIAL)}|(\\+)${credential(CREDENTIAL.replace('+', ''))})`,
    ),
    replace: '$1$2$3[REDACTED]',
  },
  // The credential of HTTP Digest (RFC 7616): `response`, the hash of the password with the
  // nonce, open to an offline guess of the password like a password hash; and `rspauth`, the
  // server's answer made the same way. The rules above see `Digest` and redact its first
  // parameter (`username=`) only. The value is hex (32 characters for MD5, 64 for SHA-256), so a
  // `response=` holding anything else (`response=200`, `response=ok`) is kept; quoted plainly,
  // JSON-escaped or percent-encoded (then after a `%20` or `%2C`, glued to its digit). Not
  // `nonce`, `cnonce` or `opaque`: the server sends them in clear, and they help debug a failed
  // handshake.
  {
    name: 'digest-response',
    hint: /response|rspauth/i,
    regex:
      /(?:(?<![A-Za-z0-9_-])|(?<=%[0-9A-Fa-f]{2}))((?:response|rspauth)(?:\\{0,7}["']|%22)?\s{0,4}(?:=|%3D)\s{0,4}(?:\\{0,7}["']|%22)?)[0-9a-f]{32,128}(?![0-9a-z])/gi,
    replace: '$1[REDACTED]',
  },
  // key=value / key: value pairs in connection strings, query strings, config dumps, SQL text and
  // JSON quoted in a message (escaped `\"password\":\"x\"` and percent-encoded `password%3Dx`
  // included). No word boundary before the key: environment names glue it to a prefix
  // (DB_PASSWORD, PGPASSWORD, GITHUB_API_TOKEN, JWT_SECRET, DJANGO SECRET_KEY, APP_ENCRYPTION_KEY),
  // and the prefix stays in the text.
  // A quoted value without its closing quote (a cut text) is redacted to the end of its line.
  // A value a rule before already redacted whole (`id_token=[REDACTED:jwt]`, the AWS secret under
  // its full name) is left as that rule wrote it, not redacted again up to its `]`.
  // An unquoted value ends before the closing brackets that end its word (`(password=x)` keeps its
  // `)`); a bracket inside the value (`pass=ab)cd`) is part of it.
  // Azure's connection strings hold their key as `AccountKey=` or `SharedAccessKey=`, and a
  // signed URL (Azure SAS, S3 and GCS presigned) its signature as `sig=` or
  // `X-Amz-Signature=`/`X-Goog-Signature=`: anyone holding it reads the object until it expires.
  {
    name: 'secret-pair',
    hint: /pass|pwd|secret|key|token|sess|sig|cred/i,
    regex:
      /((?:pass(?:word|wd|phrase)?|pwd|secret|client[_-]?secret|api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|auth[_-]?token|token|private[_-]?key|account[_-]?key|secret[_-]?access[_-]?key|(?:secret|encryption|signing|master|hmac|cookie)[_-]?key|credentials?|shared[_-]?access[_-]?key|sig|x-(?:amz|goog)-signature|session(?:[_-]?(?:id|token|key))?|sessid)(?:\\?["']|%22|%27)?\s{0,4}(?:[=:]|%3[DdAa])\s{0,4})(?!\[REDACTED(?::[a-z-]{1,32})?\](?:[\s;&,'"}]|$))(\\"[^"\r\n]{0,512}?\\"|"[^"\r\n]{0,512}"?|'[^'\r\n]{0,512}'?|%2[27](?:(?!%2[27])[^\s&;]){0,512}(?:%2[27])?|[^\s;&,'"}]{1,512}?(?=[)\]>]*(?:[\s;&,'"}]|$))|[^\s;&,'"}]{1,512})/gi,
    replace: '$1[REDACTED]',
  },
  // A Cookie or Set-Cookie header quoted in a message: every cookie in it is a credential.
  {
    name: 'cookie-header',
    hint: /cookie/i,
    regex: /\b((?:set-)?cookie["']?\s{0,4}[:=]\s{0,4})("[^"\r\n]{0,4096}"|'[^'\r\n]{0,4096}'|[^\r\n]{1,4096})/gi,
    replace: '$1[REDACTED]',
  },
];

/**
 * Signatures of secrets and of what tells about them: token library errors, credentials and keys,
 * configuration and environment dumps, connection strings, tokens and email addresses.
 */
import type { Signature } from './signatures.js';

/**
 * Not a placeholder where a secret would be: a masked value (`***`, `xxx`, `[REDACTED]`,
 * `<redacted>`) or a validation code (`required`, `too_short`), as a regex source (a lookahead).
 */
const NOT_PLACEHOLDER = String.raw`(?!\*+|x{3,}\b|\[?(?:REDACTED|redacted|FILTERED|filtered|hidden|masked)\]?|<redacted>|(?:required|invalid|missing|too_short|too_long|too_weak|mismatch|weak|empty|blank|null|undefined|none|string)\b)`;

/** Token library errors and secrets, checked last. */
export const SECRET_SIGNATURES: readonly Signature[] = [
  // Authentication libraries: their error text names the library and what failed in the token
  {
    rule: 'leak/auth-library',
    severity: 'medium',
    description: 'token library error (JWT)',
    pattern:
      /\b(?:JsonWebTokenError|TokenExpiredError|NotBeforeError|JWTExpired|JWSSignatureVerificationFailed|JWTInvalid|JWSInvalid)\b|\bjwt (?:malformed|expired|signature is required|must be provided|audience invalid|issuer invalid|not active)\b|\binvalid (?:signature|algorithm)\b/i,
  },
  // Secrets
  {
    rule: 'leak/secret',
    severity: 'high',
    description: 'credential or key',
    pattern:
      /(?<![Cc]redential=|AWSAccessKeyId=)\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----|\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@/]*:[^\s@/]+@|\b[sr]k_(?:live|test)_[0-9a-zA-Z]{10,}|\bglpat-[\w-]{20,}|\bsecret_key_base\s*[=:]\s*["']?[0-9a-f]{30,}|\b(?:AccountKey|SharedAccessKey)=[A-Za-z0-9+/]{20,}|\bgh[pousr]_[A-Za-z0-9]{30,}|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}\b|\bnpm_[A-Za-z0-9]{36}\b/,
  },
  {
    rule: 'leak/secret',
    severity: 'high',
    description: 'credential or key',
    // Tokens of newer formats, each told by its prefix: GitHub's fine-grained (`github_pat_`), OpenAI's
    // (`sk-proj-…`, a legacy key's `T3BlbkFJ`), Anthropic's (`sk-ant-api03-…`), HashiCorp Vault's
    // (`hvs.…`), SendGrid's (`SG.<22>.<43>`), PyPI's, Shopify's, DigitalOcean's, Stripe's webhook
    // secret, Hugging Face's, GitLab's other tokens, Google's OAuth access token, Slack's app token and
    // webhook, Postman's, Linear's, Sentry's, Supabase's, Databricks', Doppler's, Azure AD's client
    // secret (`…8Q~…`), an age key and an Azure SAS token (`SharedAccessSignature sr=…&sig=…`). A
    // presigned URL's key id (`X-Amz-Credential=AKIA…`) is what a download API hands out: not one.
    pattern:
      /\bgithub_pat_\w{40,}|\bsk-(?:proj|svcacct|admin|ant-(?:api|admin|sid)\d\d)-[\w-]{40,}|\bsk-[\w-]{0,100}T3BlbkFJ[\w-]{16,}|\bhv[sbr]\.[\w-]{24,}|\bSG\.[\w-]{22}\.[\w-]{43}\b|\bpypi-AgE[\w-]{50,}|\bshp(?:at|ss|ca|pa)_[0-9a-fA-F]{32}\b|\bdo[por]_v1_[0-9a-f]{64}\b|\bwhsec_[A-Za-z0-9+/]{24,}|\bhf_[A-Za-z0-9]{34,}\b|\bgl(?:ptt|dt|rt|soat|ft|cbt|imt|oas|agent)-[\w-]{20,}|\bya29\.[\w-]{30,}|\bxapp-\d-[\w-]{30,}|hooks\.slack\.com\/(?:services|workflows)\/T\w{6,}\/\w{6,}\/\w{16,}|\bPMAK-[0-9a-f]{24}-[0-9a-f]{34}\b|\blin_api_[A-Za-z0-9]{40}\b|\bsntr[ysu]_[\w+/=-]{40,}|\bsbp_[0-9a-f]{40}\b|\bdapi[0-9a-f]{32}\b|\bdp\.(?:pt|st|sa|ct)\.[A-Za-z0-9]{40,}|(?<![\w~.-])[\w.-]{3}\dQ~[\w~.-]{31,34}(?![\w~.-])|\bAGE-SECRET-KEY-1[0-9A-Z]{58}\b|\bSharedAccessSignature[= ](?:sr|sv)=[^\s"']{1,512}?[?&]?\bsig=[A-Za-z0-9%+/]{20,}/,
  },
  {
    rule: 'leak/secret',
    severity: 'high',
    description: 'credential in an echoed Authorization field',
    // `"authorization": "Basic YWRtaW46czNjcjN0"`, `Authorization: Bearer 8f2c…` sent back: a value with a
    // digit (a placeholder such as `Bearer YOUR_TOKEN` or `<token>` is not one); a JWT is reported as
    // one, and the probe's own tokens (with its marker) are reflection.
    pattern: new RegExp(
      String.raw`\b[Aa]uthorization["']?\s{0,4}[:=]\s{0,4}["']?(?:Basic|Bearer|Token|Digest|Negotiate|NTLM|token|bearer|basic) {1,4}(?!eyJ)${NOT_PLACEHOLDER}(?=[A-Za-z+/=._~-]{0,512}\d)[A-Za-z0-9+/=._~-]{12,}`,
    ),
  },
  {
    rule: 'leak/secret',
    severity: 'high',
    description: 'credential in an environment or configuration dump',
    // DB_PASSWORD=…, DB_PASS=…, "JWT_SECRET": "…", aws_secret_access_key = …: an upper-case setting name or AWS's own.
    pattern:
      /\b[A-Z][A-Z0-9_]{0,64}?(?:PASSWORD|PASSWD|_PASS|_PWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY)[A-Z0-9_]{0,64}["']?\s*[=:]\s*["']?[^\s"',{}]{4,}|\baws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}/,
  },
  {
    rule: 'leak/secret',
    severity: 'high',
    description: 'credential in an environment or configuration dump',
    // A setting named only by its kind (`SECRET_KEY = '…'`, `PASSWORD=…`), not a placeholder.
    pattern: new RegExp(
      String.raw`\b(?:PASSWORD|SECRET_KEY|SECRET|API_KEY|APIKEY|PRIVATE_KEY|ACCESS_KEY)["']?\s*[=:]\s*["']?${NOT_PLACEHOLDER}[^\s"',{}]{4,}`,
    ),
  },
  {
    rule: 'leak/secret',
    severity: 'high',
    description: 'credential in a configuration dump',
    // A qualified setting name (`"jwtSecret": "…"`, `db_password: …`, `spring.datasource.password=…`), not
    // the bare field name a validation error uses; a redacted value (`***`, `[REDACTED]`) or a
    // validation code (`required`) is not one. The name is looked for first, its qualifier behind it.
    pattern: new RegExp(
      String.raw`(?:[Pp]assword|[Pp]asswd|[Ss]ecret|[Aa]pi_?[Kk]ey|[Pp]rivate_?[Kk]ey|[Ss]ecret_?[Kk]ey|[Aa]ccess_?[Kk]ey)(?<=\b[a-z][\w.-]{0,64}?(?:[_.-]|[a-z0-9](?=[A-Z]))\w{1,64})["']?\s*[=:]\s*["']?${NOT_PLACEHOLDER}[^\s"',;&{}[\]]{4,}`,
    ),
  },
  {
    rule: 'leak/secret',
    severity: 'high',
    description: 'password in a configuration dump or connection string',
    // `"password": "hunter2"` (a value with a digit or a symbol: not a word), `;Password=…` (ADO.NET,
    // JDBC), `&password=…` (a URL).
    pattern: new RegExp(
      String.raw`"(?:password|passwd|pwd|secret)"\s*:\s*"(?=[^"\s]*[^A-Za-z"\s])${NOT_PLACEHOLDER}[^"\s]{4,}"|[;?&]\s*(?:password|pwd|passwd)\s*=\s*${NOT_PLACEHOLDER}[^\s"';&]{3,}`,
      'i',
    ),
  },
  {
    rule: 'leak/jwt',
    severity: 'medium',
    description: 'JSON Web Token',
    pattern: /\beyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{0,1024}/,
  },
  {
    rule: 'leak/email',
    severity: 'low',
    description: 'email address',
    pattern: /(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[a-z]{2,24}\b/i,
  },
];

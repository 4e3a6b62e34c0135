/**
 * The probe's own signature set: what must never appear in an answer. Written for Node.js APIs
 * first (driver and ORM texts that public scanners miss), then the other common runtimes.
 */
import type { Severity } from './findings.js';

/** One signature: a rule, its severity, and the pattern that finds it. */
export interface Signature {
  readonly rule: string;
  readonly severity: Severity;
  readonly description: string;
  readonly pattern: RegExp;
}

/**
 * Not a placeholder where a secret would be: a masked value (`***`, `xxx`, `[REDACTED]`,
 * `<redacted>`) or a validation code (`required`, `too_short`), as a regex source (a lookahead).
 */
const NOT_PLACEHOLDER = String.raw`(?!\*+|x{3,}\b|\[?(?:REDACTED|redacted|FILTERED|filtered|hidden|masked)\]?|<redacted>|(?:required|invalid|missing|too_short|too_long|too_weak|mismatch|weak|empty|blank|null|undefined|none|string)\b)`;

/** Every signature, checked against status line, headers and body of each answer. */
export const SIGNATURES: readonly Signature[] = [
  // Stack traces
  {
    rule: 'leak/stack-node',
    severity: 'high',
    description: 'Node.js stack frame',
    pattern:
      /\bat (?:async )?(?:[\w$.<>[\] ]{1,256} \()?(?:file:\/\/)?(?:\/|[A-Z]:\\|node:)[^\s):]{1,512}(?::[^\s):]{1,512}){0,3}:\d+:\d+\)?/,
  },
  {
    rule: 'leak/stack-node',
    severity: 'high',
    description: 'Node.js stack frame (relative path)',
    // A frame on its own line, whatever its path (the answer is read with its JSON escapes undone).
    pattern: /(?:\\n|\n)\s{1,64}at [\w$.<>]{1,256} \(/,
  },
  {
    rule: 'leak/stack-python',
    severity: 'high',
    description: 'Python traceback',
    pattern: /Traceback \(most recent call last\)|File "[^"\n]{1,512}", line \d+/,
  },
  {
    rule: 'leak/stack-java',
    severity: 'high',
    description: 'Java stack frame',
    // With a module or class-loader prefix (`java.base/`, `app//`); Kotlin, Scala and Groovy files too.
    pattern:
      /(?:\b|(?<=\\[nt]))at (?:[\w.@-]{0,128}\/){0,4}[a-z][\w$]{0,128}(?:\.[\w$<>]{1,128}){1,16}\([\w$]{1,128}\.(?:java|kt|scala|groovy):\d+\)/,
  },
  {
    rule: 'leak/stack-java',
    severity: 'high',
    description: 'Java stack frame or exception class',
    // A frame without its file (Unknown Source, Native Method); a JVM or framework exception class.
    pattern:
      /\bat (?:[\w.@-]{0,128}\/){0,4}[a-z][\w$]{0,128}(?:\.[\w$<>]{1,128}){1,16}\((?:Unknown Source|Native Method)\)|\b(?:java|javax|jakarta|org\.springframework|org\.hibernate|org\.apache)\.[\w$.]{1,256}?(?:Exception|Error)\b|\b(?:com|org|io|net)\.[a-z][\w$]{0,64}(?:\.[a-z][\w$]{0,64}){1,16}\.[A-Z][\w$]{0,128}(?:Exception|Error)\b|\bCaused by: (?:[a-z][\w$]{0,64}\.){1,16}[A-Z][\w$]*/,
  },
  {
    rule: 'leak/stack-go',
    severity: 'high',
    description: 'Go panic or frame',
    pattern:
      /goroutine \d+ \[[\w ,]+\]:|\bpanic: runtime error: |\.go:\d+ \+0x[0-9a-f]+|\/[\w.-]{1,128}(?:\/[\w.-]{1,128}){0,16}\.go:\d+\b/,
  },
  {
    rule: 'leak/stack-dotnet',
    severity: 'high',
    description: '.NET stack frame',
    pattern: /(?:\b|(?<=\\[nt]))at [\w.]{1,256}\([^)\n]{0,512}\) in [^\n]{1,512}:line \d+/,
  },
  {
    rule: 'leak/stack-dotnet',
    severity: 'high',
    description: '.NET exception or frame',
    // A framework exception class; a frame without its file (a release build): `at App.Users.Get(Int32 id)`.
    pattern:
      /\b(?:System|Microsoft)\.(?:[A-Z]\w*\.)*[A-Z]\w*Exception\b|--- End of (?:inner exception )?stack trace|\bat (?:[A-Z][\w`<>]*\.){2,}[\w`<>]+\((?:[A-Z][\w.`<>[\]]*&? \w+(?:, )?)*\)/,
  },
  {
    rule: 'leak/stack-ruby',
    severity: 'high',
    description: 'Ruby frame or error',
    pattern:
      /\.rb:\d+:in [`']|\bundefined (?:local variable or )?method [`'][^`'\n]{1,256}' for (?:nil\b|an instance of |#<)/,
  },
  {
    rule: 'leak/stack-php',
    severity: 'high',
    description: 'PHP error location',
    pattern:
      /Stack trace:\s*#0|\.php(?::\d+\b|(?:<\/b>)? on line (?:<b>)?\d+)|on line <b>\d+|PHP (?:Fatal|Warning|Notice|Parse)|Fatal error: Uncaught /,
  },
  // SQL, drivers and ORMs
  {
    rule: 'leak/sql',
    severity: 'high',
    description: 'SQL text',
    pattern: /\b(?:SELECT\s+[\w*,\s."`[\]]{1,512}?\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/i,
  },
  {
    rule: 'leak/sql',
    severity: 'high',
    description: 'database error text (SQLite, SQL Server, Oracle)',
    pattern:
      /\bSQLITE_[A-Z]{4,}\b|\b(?:UNIQUE|NOT NULL|FOREIGN KEY) constraint failed: \w+|\bno such (?:table|column): \w+|Violation of (?:PRIMARY|UNIQUE) KEY constraint|Cannot insert duplicate key in object|Invalid object name '|Invalid column name '|Incorrect syntax near |Unclosed quotation mark after the character string|Conversion failed when converting|\bORA-\d{5}\b/,
  },
  {
    rule: 'leak/driver-pg',
    severity: 'high',
    description: 'PostgreSQL error text',
    pattern:
      /violates (?:unique|foreign key|not-null|check) constraint|relation "[^"]+" does not exist|syntax error at or near|SQLSTATE|column "[^"]+" (?:of relation|does not exist)|invalid input syntax for (?:type )?\w+/i,
  },
  {
    rule: 'leak/driver-mysql',
    severity: 'high',
    description: 'MySQL error text',
    pattern:
      /\bER_[A-Z_]{4,}\b|Duplicate entry '[^']*' for key|You have an error in your SQL syntax|Table '[\w$.-]+' doesn't exist|Unknown column '[^']+' in '[\w ]+'|Access denied for user '[^']*'@'[^']*'/,
  },
  {
    rule: 'leak/driver-prisma',
    severity: 'high',
    description: 'Prisma error text',
    pattern:
      /PrismaClient\w*Error|Invalid `[\w$.]*prisma\.\w+|Invalid `[\w$.]+\(\)` invocation|Unique constraint failed on the (?:fields|constraint): |Foreign key constraint failed on the field: |Can't reach database server at `|The table `[^`]+` does not exist in the current database/,
  },
  {
    rule: 'leak/driver-mongo',
    severity: 'high',
    description: 'MongoDB error text',
    pattern: /E11000 duplicate key|\bMongo(?:[A-Z]\w*)?Error\b/,
  },
  {
    rule: 'leak/driver-redis',
    severity: 'high',
    description: 'Redis error text',
    pattern:
      /\b(?:WRONGTYPE|NOAUTH|READONLY You can't write|CROSSSLOT|MISCONF)\b|\bReplyError\b|\bERR (?:unknown command|wrong number of arguments|syntax error|value is not an integer)|Redis connection to \S+ failed/,
  },
  {
    rule: 'leak/orm',
    severity: 'high',
    description: 'ORM error text',
    pattern:
      /Sequelize\w*Error|QueryFailedError|EntityNotFound|EntityMetadataNotFound|\bTypeORMError\b|No metadata for "[^"]+" was found|\bMongoose\w*Error\b|Knex: |\bCast to \w+ failed for value|\b\w+ validation failed: \w+: Path `|\b(?:sqlalchemy\.exc|psycopg2?\.errors|django\.db\.utils|pymongo\.errors)\.\w+|Microsoft\.EntityFrameworkCore\.\w+|\bActiveRecord::[A-Z]\w+|\bPG::[A-Z]\w+/,
  },
  // File system, hosts, network
  {
    rule: 'leak/path',
    severity: 'medium',
    description: 'server file path',
    pattern:
      /(?:\/(?:home|srv|var\/www|var\/task|usr\/src\/app|usr\/(?:local|lib|share)|opt|app|root|workspace)\/[\w.-]+\/|node_modules\/|(?:site|dist)-packages\/|\b[A-Za-z]:\\(?:Users|inetpub|Program Files|ProgramData|Windows)\\|\b[A-Za-z]:(?:\\{1,2}|\/)(?:[\w .$@-]+(?:\\{1,2}|\/))+[\w.$@-]+\.\w{1,5}\b|\bfile:\/\/\/?[\w.~%-]*\/[\w.~%-]+)/,
  },
  {
    rule: 'leak/path',
    severity: 'medium',
    description: 'network share path',
    // A UNC path names a file server and a share: `\\fs01\share$\config.xml`.
    pattern: /(?<![\w\\])\\\\[A-Za-z][\w.-]{0,63}\\[\w$.-]{1,128}\\[\w$. -]{1,128}/,
  },
  {
    rule: 'leak/errno',
    severity: 'medium',
    description: 'system error code with detail',
    pattern:
      /\b(?:ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EACCES|ENOENT|ECONNRESET|EHOSTUNREACH)\b[^"\n]{0,40}?(?:\d+\.\d+\.\d+\.\d+|\/|\b[\w.-]+:\d{2,5}\b)|\bdial (?:tcp|udp|unix)[46]?(?: [\w.:[\]%-]+)?: (?:lookup |connect: |i\/o timeout)|\blookup [\w.-]+ on [\d.:[\]a-f]+: /,
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'private or internal address',
    pattern:
      /\b(?:10\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}|192\.168|169\.254)\.\d{1,3}\.\d{1,3}\b|\b[\w-]{1,63}\.(?:internal|local|localdomain|svc\.cluster\.local|consul|corp|intranet|lan)\b|\.(?:rds|cache|redshift|es)\.amazonaws\.com\b|\.(?:database|redis\.cache|servicebus)\.windows\.net\b|\b[\w-]{1,63}\.[\w-]{1,63}\.svc\b|\b(?:https?|grpcs?|wss?|redis|amqps?|postgres(?:ql)?|mysql|mongodb):\/\/(?!localhost\b)[a-z][\w-]*:\d{2,5}\b/,
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'cloud resource name (AWS ARN: account id and resource)',
    pattern: /\barn:aws[\w-]{0,16}:[\w-]{1,64}:[\w-]{0,32}:\d{12}:[\w/+=,.@:-]{1,256}/,
  },
  // Versions and products
  {
    rule: 'leak/version',
    severity: 'medium',
    description: 'server or framework version',
    // product/1.2 (Server, Via, X-Powered-By, error pages), Jetty(9.4.44), X-AspNet[Mvc]-Version: a bare
    // product name without a version (Server: edge, Via: 1.1 varnish) is not one.
    pattern:
      /\b(?:nginx|openresty|Tengine|Apache|Tomcat|Microsoft-IIS|Microsoft-HTTPAPI|Werkzeug|gunicorn|uvicorn|Jetty|Kestrel|Express|PHP|Python|CPython|WSGIServer|TornadoServer|Puma|WEBrick|Cowboy|Undertow|GlassFish|WildFly|JBoss|Servlet|JSP|Node\.js|HAProxy|Varnish|lighttpd|Caddy|envoy|OpenSSL|mod_\w+)\/\d+(?:\.\d+)*|\bJetty\(\d+(?:\.\d+)+|\bNode\.js v\d+\.\d+|\bx-aspnet(?:mvc)?-version: *\d+(?:\.\d+)*/i,
  },
  {
    rule: 'leak/version',
    severity: 'medium',
    description: 'server or framework version (Server or X-Powered-By field)',
    // `Server: Puma 6.4.0`, `X-Powered-By: Next.js 14.1.0`: any product with a version in these fields.
    pattern:
      /(?:^|\n)(?:server|x-powered-by|x-generator|x-server): [^\n]*?\b(?!HTTP\/)[A-Za-z][\w.-]*(?:\(R\))?[/ ]v?\d+\.\d+/,
  },
  {
    rule: 'leak/product',
    severity: 'low',
    description: 'product name in an error page',
    pattern: /<center>nginx<\/center>|X-Powered-By|Server: (?:nginx|Apache|Express)/i,
  },
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
      /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|-----BEGIN [A-Z ]*PRIVATE KEY-----|\b[a-z][a-z0-9+.-]{1,20}:\/\/[^\s:@/]+:[^\s@/]+@|\b[sr]k_live_[0-9a-zA-Z]{10,}|\bgh[pousr]_[A-Za-z0-9]{30,}|\bxox[abposr]-[A-Za-z0-9-]{10,}|\bAIza[0-9A-Za-z_-]{35}\b|\bnpm_[A-Za-z0-9]{36}\b/,
  },
  {
    rule: 'leak/secret',
    severity: 'high',
    description: 'credential in an environment or configuration dump',
    // DB_PASSWORD=…, "JWT_SECRET": "…", aws_secret_access_key = …: an upper-case setting name or AWS's own.
    pattern:
      /\b[A-Z][A-Z0-9_]{0,64}?(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY)[A-Z0-9_]{0,64}["']?\s*[=:]\s*["']?[^\s"',{}]{4,}|\baws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}/,
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
    pattern: /\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[a-z]{2,24}\b/i,
  },
];

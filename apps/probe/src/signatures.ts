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

/** Every signature, checked against status line, headers and body of each answer. */
export const SIGNATURES: readonly Signature[] = [
  // Stack traces
  {
    rule: 'leak/stack-node',
    severity: 'high',
    description: 'Node.js stack frame',
    pattern: /\bat (?:async )?(?:[\w$.<>[\] ]+ \()?(?:file:\/\/)?(?:\/|[A-Z]:\\|node:)[^\s)]+:\d+:\d+\)?/,
  },
  {
    rule: 'leak/stack-node',
    severity: 'high',
    description: 'Node.js stack frame (relative path)',
    // A frame on its own line, whatever its path (the answer is read with its JSON escapes undone).
    pattern: /(?:\\n|\n)\s+at [\w$.<>]+ \(/,
  },
  {
    rule: 'leak/stack-python',
    severity: 'high',
    description: 'Python traceback',
    pattern: /Traceback \(most recent call last\)|File "[^"]+", line \d+/,
  },
  {
    rule: 'leak/stack-java',
    severity: 'high',
    description: 'Java stack frame',
    pattern: /(?:\b|(?<=\\[nt]))at [a-z][\w$]*(?:\.[\w$]+)+\([\w$]+\.java:\d+\)/,
  },
  {
    rule: 'leak/stack-java',
    severity: 'high',
    description: 'Java stack frame or exception class',
    // A frame without its file (Unknown Source, Native Method); a JVM or framework exception class.
    pattern:
      /\bat [a-z][\w$]*(?:\.[\w$]+)+\((?:Unknown Source|Native Method)\)|\b(?:java|javax|jakarta|org\.springframework|org\.hibernate|org\.apache)\.[\w$.]+(?:Exception|Error)\b/,
  },
  {
    rule: 'leak/stack-go',
    severity: 'high',
    description: 'Go panic or frame',
    pattern: /goroutine \d+ \[running\]|\.go:\d+ \+0x[0-9a-f]+|\/[\w.-]+(?:\/[\w.-]+)*\.go:\d+\b/,
  },
  {
    rule: 'leak/stack-dotnet',
    severity: 'high',
    description: '.NET stack frame',
    pattern: /(?:\b|(?<=\\[nt]))at [\w.]+\([^)]*\) in [^\n]+:line \d+/,
  },
  { rule: 'leak/stack-ruby', severity: 'high', description: 'Ruby frame', pattern: /\.rb:\d+:in [`']/ },
  {
    rule: 'leak/stack-php',
    severity: 'high',
    description: 'PHP error location',
    pattern: /(?:Stack trace:\s*#0|on line <b>?\d+|PHP (?:Fatal|Warning|Notice))/,
  },
  // SQL, drivers and ORMs
  {
    rule: 'leak/sql',
    severity: 'high',
    description: 'SQL text',
    pattern: /\b(?:SELECT\s+[\w*,\s."`[\]]+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b/i,
  },
  {
    rule: 'leak/sql',
    severity: 'high',
    description: 'database error text (SQLite, SQL Server, Oracle)',
    pattern:
      /\bSQLITE_[A-Z]{4,}\b|\b(?:UNIQUE|NOT NULL|FOREIGN KEY) constraint failed: \w+|\bno such (?:table|column): \w+|Violation of (?:PRIMARY|UNIQUE) KEY constraint|Cannot insert duplicate key in object|Invalid object name '|\bORA-\d{5}\b/,
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
    pattern: /\bER_[A-Z_]{4,}\b|Duplicate entry '[^']*' for key|You have an error in your SQL syntax/,
  },
  {
    rule: 'leak/driver-prisma',
    severity: 'high',
    description: 'Prisma error text',
    pattern: /PrismaClient\w*Error|Invalid `[\w$.]*prisma\.\w+|Invalid `[\w$.]+\(\)` invocation/,
  },
  {
    rule: 'leak/driver-mongo',
    severity: 'high',
    description: 'MongoDB error text',
    pattern: /E11000 duplicate key|Mongo(?:Server|Network)Error|MongoServerSelectionError/,
  },
  {
    rule: 'leak/driver-redis',
    severity: 'high',
    description: 'Redis error text',
    pattern: /\b(?:WRONGTYPE|NOAUTH|READONLY You can't write)\b/,
  },
  {
    rule: 'leak/orm',
    severity: 'high',
    description: 'ORM error text',
    pattern:
      /Sequelize\w*Error|QueryFailedError|EntityNotFound|Knex: |\bCast to \w+ failed for value|\b\w+ validation failed: \w+: Path `|\b(?:sqlalchemy\.exc|psycopg2?\.errors|django\.db\.utils|pymongo\.errors)\.\w+|Microsoft\.EntityFrameworkCore\.\w+|\bActiveRecord::[A-Z]\w+|\bPG::[A-Z]\w+/,
  },
  // File system, hosts, network
  {
    rule: 'leak/path',
    severity: 'medium',
    description: 'server file path',
    pattern:
      /(?:\/(?:home|srv|var\/www|var\/task|usr\/src\/app|opt|app|root|workspace)\/[\w.-]+\/|node_modules\/|[A-Z]:\\(?:Users|inetpub|Program Files)\\|\b[A-Z]:(?:\\{1,2}|\/)(?:[\w .$@-]+(?:\\{1,2}|\/))+[\w.$@-]+\.\w{1,5}\b|\bfile:\/\/\/?[\w.~%-]*\/[\w.~%-]+)/,
  },
  {
    rule: 'leak/errno',
    severity: 'medium',
    description: 'system error code with detail',
    pattern:
      /\b(?:ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EACCES|ENOENT|ECONNRESET|EHOSTUNREACH)\b[^"]{0,40}(?:\d+\.\d+\.\d+\.\d+|\/|\b[\w.-]+:\d{2,5}\b)/,
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'private or internal address',
    pattern:
      /\b(?:10\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3}|192\.168|169\.254)\.\d{1,3}\.\d{1,3}\b|\b[\w-]+\.(?:internal|local|svc\.cluster\.local)\b|\b[\w-]+\.[\w-]+\.svc\b|\b(?:https?|grpcs?|wss?|redis|amqps?|postgres(?:ql)?|mysql|mongodb):\/\/(?!localhost\b)[a-z][\w-]*:\d{2,5}\b/,
  },
  // Versions and products
  {
    rule: 'leak/version',
    severity: 'medium',
    description: 'server or framework version',
    // product/1.2 (Server, Via, X-Powered-By, error pages), Jetty(9.4.44), X-AspNet[Mvc]-Version: a bare
    // product name without a version (Server: edge, Via: 1.1 varnish) is not one.
    pattern:
      /\b(?:nginx|openresty|Tengine|Apache|Tomcat|Microsoft-IIS|Microsoft-HTTPAPI|Werkzeug|gunicorn|uvicorn|Jetty|Kestrel|Express|PHP|Python|Node\.js|HAProxy|Varnish|lighttpd|Caddy|envoy|OpenSSL)\/\d+(?:\.\d+)*|\bJetty\(\d+(?:\.\d+)+|\bNode\.js v\d+\.\d+|\bx-aspnet(?:mvc)?-version: *\d+(?:\.\d+)*/i,
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
      /\b[A-Z][A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY|ACCESS_KEY)[A-Z0-9_]*["']?\s*[=:]\s*["']?[^\s"',{}]{4,}|\baws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}/,
  },
  {
    rule: 'leak/jwt',
    severity: 'medium',
    description: 'JSON Web Token',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/,
  },
  {
    rule: 'leak/email',
    severity: 'low',
    description: 'email address',
    pattern: /\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b/i,
  },
];

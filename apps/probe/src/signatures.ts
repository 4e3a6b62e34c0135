/**
 * The probe's own signature set: what must never appear in an answer. Written for Node.js APIs
 * first (driver and ORM texts that public scanners miss), then the other common runtimes.
 */
import type { Severity } from './findings.js';
import { DISCLOSURE_SIGNATURES } from './signatures-disclosure.js';
import { DRIVER_SIGNATURES } from './signatures-drivers.js';
import { EXPOSURE_SIGNATURES } from './signatures-exposure.js';
import { RUNTIME_SIGNATURES } from './signatures-runtime.js';
import { SECRET_SIGNATURES } from './signatures-secrets.js';
import { LOWER_CASE_SQL } from './signatures-sql.js';
import { OTHER_STACK_SIGNATURES } from './signatures-stacks.js';

/** One signature: a rule, its severity, and the pattern that finds it. */
export interface Signature {
  readonly rule: string;
  readonly severity: Severity;
  readonly description: string;
  readonly pattern: RegExp;
  /**
   * A rule prefix (`leak/stack-`): the signature is not reported when a rule with it was already
   * found in the answer (an exception's message is part of its stack, one problem).
   */
  readonly subsumedBy?: string;
}

/**
 * Every signature, checked against status line, headers and body of each answer, the stronger
 * first (a match overlapping an earlier one is not reported again): stacks, SQL and drivers, then
 * runtime texts, exposure (paths, hosts, versions), disclosures (Server-Timing, source maps, cloud
 * resource names, a GraphQL schema) and secrets.
 */
export const SIGNATURES: readonly Signature[] = [
  // Stack traces
  {
    rule: 'leak/stack-node',
    severity: 'high',
    description: 'Node.js stack frame',
    // Its file as a path, a `file://` URL, a bundler's source URL (`webpack:///./src/x.ts`, Next.js's
    // `webpack-internal:///(api)/./pages/x.ts`), Deno's remote module (`https://deno.land/std/x.ts:1:2`)
    // or internal one (`ext:deno_http/00_serve.js:1:2`); a Rust panic's `panicked at /src/…` is Rust's.
    pattern:
      /(?<!panicked )\bat (?:async )?(?:[\w$.<>[\] ]{1,256} \()?(?:file:\/\/|https?:\/\/[\w.-]{1,253}(?::\d{1,5})?|webpack(?:-internal)?:\/\/[\w@.-]{0,64}(?:\/\([\w-]{1,64}\))?(?:\/\.)?)?(?:\/|[A-Z]:\\|node:|ext:)[^\s):]{1,512}(?::[^\s):]{1,512}){0,3}:\d+:\d+\)?/,
  },
  {
    rule: 'leak/stack-node',
    severity: 'high',
    description: 'Node.js stack frame (relative path)',
    // A frame on its own line, whatever its path (the answer is read with its JSON escapes undone), or
    // after a `<br>` (Express's development error page: `<br> &nbsp; &nbsp;at handler (dist/x.js:3:9)`);
    // or anywhere with a script's line and column (an Apollo `stacktrace` array of lines, `"    at
    // Object.order (resolvers.js:12:9)"`, `"at resolvers.js:12:9"`, or a frame inside a message).
    pattern:
      /(?:\\n|\n|<[bB][rR]\s{0,8}\/?>)\s{1,64}at [\w$.<>]{1,256} \(|\bat (?:async )?(?:[\w$.<>]{1,256} \()?[\w@./\\-]{1,512}\.(?:[cm]?[jt]sx?|vue|svelte):\d+:\d+\b/,
  },
  {
    rule: 'leak/stack-python',
    severity: 'high',
    description: 'Python traceback',
    // A traceback, or an exception class of a web framework or library (`django.core.exceptions.ImproperlyConfigured`).
    pattern:
      /Traceback \(most recent call last\)|File "[^"\n]{1,512}", line \d+|\b(?:django|werkzeug|flask|starlette|fastapi|pydantic|sqlalchemy|botocore|urllib3|celery)\.[a-z_]{1,64}(?:\.[a-z_]{1,64}){0,6}\.[A-Z]\w{2,64}/,
  },
  {
    rule: 'leak/stack-java',
    severity: 'high',
    description: 'Java stack frame',
    // With a module or class-loader prefix (`java.base/`, `app//`); Kotlin, Scala, Groovy and Clojure files
    // too; or a StackTraceElement as Jackson writes it (an exception serialized whole: `"fileName":
    // "OrderController.java"`).
    pattern:
      /(?:\b|(?<=\\[nt]))at (?:[\w.@-]{0,128}\/){0,4}[a-z][\w$]{0,128}(?:\.[\w$<>]{1,128}){1,16}\([\w$]{1,128}\.(?:java|kt|kts|scala|groovy|clj)(?::\d+)?\)|"fileName"\s{0,4}:\s{0,4}"[\w$-]{1,128}\.(?:java|kt|kts|scala|groovy|clj)"/,
  },
  {
    rule: 'leak/stack-java',
    severity: 'high',
    description: 'Java stack frame or exception class',
    // A frame without its file (Unknown Source, Native Method), a coroutine's boundary (`at
    // _COROUTINE._BOUNDARY._(…)`, `(Coroutine boundary)`), a coroutine dump's headers or a Job's own text
    // (`Coroutine "sync#2":StandaloneCoroutine{Active}@1b2c3d`), a Cats Effect fiber's frame (`at flatMap @
    // com.acme.Main$.run(Main.scala:10)`); a JVM or framework exception class.
    pattern:
      /\bat (?:[\w.@-]{0,128}\/){0,4}[a-z][\w$]{0,128}(?:\.[\w$<>]{1,128}){1,16}\((?:Unknown Source|Native Method)\)|\bat _COROUTINE\._[\w$]{1,128}\._\(|\(Coroutine boundary\)|\bCoroutine "[^"\n]{0,128}#\d+":\w{0,64}Coroutine\{|\bCoroutines dump \d{4}\/\d\d\/\d\d|\b\w{0,64}Coroutine\{(?:New|Active|Cancelling|Cancelled|Completing|Completed)\}@[0-9a-f]{4,16}\b|\bat \w{1,64} @ (?:[\w$]{1,128}\.){1,16}[\w$<>]{1,128}\([\w$]{1,128}\.(?:scala|java|kt)(?::\d+)?\)|\b(?:java|javax|jakarta|kotlinx?|scala|akka|zio|play\.api|clojure\.lang|groovy\.lang|org\.springframework|org\.hibernate|org\.apache)\.[\w$.]{1,256}?(?:Exception|Error)\b|\b(?:com|org|io|net)\.[a-z][\w$]{0,64}(?:\.[a-z][\w$]{0,64}){1,16}\.[A-Z][\w$]{0,128}(?:Exception|Error)\b|\bCaused by: (?:[a-z][\w$]{0,64}\.){1,16}[A-Z][\w$]*/,
  },
  {
    rule: 'leak/stack-go',
    severity: 'high',
    description: 'Go panic or frame',
    pattern:
      /goroutine \d+ \[[\w ,]+\]:|\bpanic: runtime error: |\bruntime error: (?:invalid memory address|index out of range|slice bounds out of range)|\.go:\d+ \+0x[0-9a-f]+|\/[\w.-]{1,128}(?:\/[\w.-]{1,128}){0,16}\.go:\d+\b|\.\(\*[A-Z]\w{0,64}\)\.\w{1,64}\(|\(0xc0[0-9a-f]{8}\b/,
  },
  {
    rule: 'leak/stack-dotnet',
    severity: 'high',
    description: '.NET stack frame',
    pattern: /(?:\b|(?<=\\[nt]))at [\w.<>$`]{1,256}\([^)\n]{0,512}\) in [^\n]{1,512}:line \d+|\.cs:line \d+/,
  },
  {
    rule: 'leak/stack-dotnet',
    severity: 'high',
    description: '.NET exception or frame',
    // A framework exception class; a frame without its file (a release build): `at App.Users.Get(Int32 id)`,
    // an async method's state machine (`at App.Orders.<GetAsync>d__4.MoveNext()`, `Start[TStateMachine](…)`).
    pattern:
      /\b(?:System|Microsoft)\.(?:[A-Z]\w*\.)*[A-Z]\w*Exception\b|--- End of (?:inner exception )?stack trace|\bat (?:[A-Z<][\w`<>$]*\.){2,}[\w`<>$[\],]+\((?:[A-Z][\w.`<>[\]]*&? \w+(?:, )?)*\)/,
  },
  {
    rule: 'leak/stack-ruby',
    severity: 'high',
    description: 'Ruby frame or error',
    pattern:
      /\.rb:\d+:in [`']|\bundefined (?:local variable or )?method [`'][^`'\n]{1,256}' for (?:nil\b|an instance of |#<)|\bAction(?:Controller|Dispatch|View|Mailer)::[A-Z]\w+|\buninitialized constant [A-Z]/,
  },
  {
    rule: 'leak/stack-php',
    severity: 'high',
    description: 'PHP error location',
    pattern:
      /Stack trace:\s*#0|\.php(?::\d+\b|(?:<\/b>)? on line (?:<b>)?\d+)|on line <b>\d+|\bin Unknown on line \d+|PHP (?:Fatal|Warning|Notice|Parse)|Fatal error: Uncaught |\b(?:Illuminate|Symfony\\Component|Doctrine\\(?:DBAL|ORM)|GuzzleHttp)\\[A-Z]\w{1,64}/,
  },
  ...OTHER_STACK_SIGNATURES,
  // SQL, drivers and ORMs
  {
    rule: 'leak/sql',
    severity: 'high',
    description: 'SQL text',
    // Upper-case keywords, as SQL is written and logged; prose (`select an option from the table`) is not SQL.
    pattern:
      /\b(?:SELECT\s+[\w*,\s."`[\]]{1,512}?\s+FROM|INSERT\s+INTO|UPDATE\s+[\w."`[\]]{1,128}\s+SET|DELETE\s+FROM)\b/,
  },
  ...LOWER_CASE_SQL,
  {
    rule: 'leak/sql',
    severity: 'high',
    description: 'database error text (SQLite, SQL Server, Oracle, Go, Elasticsearch)',
    pattern:
      /\bSQLITE_[A-Z]{4,}\b|\b(?:UNIQUE|NOT NULL|FOREIGN KEY) constraint failed: \w+|\bno such (?:table|column): \w+|Violation of (?:PRIMARY|UNIQUE) KEY constraint|Cannot insert duplicate key in object|Invalid object name '|Invalid column name '|Incorrect syntax near |Unclosed quotation mark after the character string|Conversion failed when converting|\bORA-\d{5}\b|\bsql: (?:no rows in result set|database is closed|Scan error|transaction has already been)|\bHikariPool-\d+ - |\bTNS:[a-z]|Login failed for user '|error occurred while establishing a connection to SQL Server|\bSQLITE_BUSY|statement conflicted with the (?:FOREIGN KEY|CHECK|REFERENCE) constraint|String or binary data would be truncated|Arithmetic overflow error converting|\b(?:index_not_found|search_phase_execution|version_conflict_engine|mapper_parsing|resource_already_exists)_exception\b/,
  },
  {
    rule: 'leak/driver-pg',
    severity: 'high',
    description: 'PostgreSQL error text',
    pattern:
      /violates (?:unique|foreign key|not-null|check) constraint|relation "[^"]+" does not exist|syntax error at or near|SQLSTATE|column "[^"]+" (?:of relation|does not exist)|invalid input syntax for (?:type )?\w+|password authentication failed for user|out of range for type \w+|current transaction is aborted, commands ignored|\bdeadlock detected\b|canceling statement due to (?:statement|lock) timeout|too many clients already|remaining connection slots are reserved|\bKey \([^)\n]{1,256}\)=\(|could not translate host name|could not connect to server: |Is the server running on host|\bpq: [a-z]/i,
  },
  {
    rule: 'leak/driver-mysql',
    severity: 'high',
    description: 'MySQL error text',
    pattern:
      /\bER_[A-Z_]{4,}\b|Duplicate entry '[^']*' for key|You have an error in your SQL syntax|Table '[\w$.-]+' doesn't exist|Unknown column '[^']+' in '[\w ]+'|Access denied for user '[^']*'@'[^']*'|Data too long for column '|Incorrect \w+ value: '[^'\n]{0,256}' for column '|Out of range value for column '|Column '[^'\n]{1,64}' cannot be null|a foreign key constraint fails \(|Lock wait timeout exceeded|Deadlock found when trying to get lock/,
  },
  {
    rule: 'leak/driver-prisma',
    severity: 'high',
    description: 'Prisma error text',
    pattern:
      /PrismaClient\w*Error|Invalid `[\w$.]*prisma\.\w+|Invalid `[\w$.]+\(\)` invocation|Unique constraint failed on the (?:fields|constraint): |Foreign key constraint failed on the field: |Can't reach database server at `|The table `[^`]+` does not exist in the current database|\bArgument `\w+`: Invalid value provided/,
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
      /Sequelize\w*Error|QueryFailedError|EntityNotFound|EntityMetadataNotFound|\bTypeORMError\b|No metadata for "[^"]+" was found|\bMongoose\w*Error\b|Knex: |\bCast to \w+ failed for value|\b\w+ validation failed: \w+: Path `|\b(?:sqlalchemy\.exc|psycopg2?\.errors|django\.db\.utils|pymongo\.errors)\.\w+|\b(?:psycopg2?|asyncpg|pymysql|MySQLdb|pyodbc|cx_Oracle|oracledb)\.(?:(?:errors?|exceptions)\.)?[A-Z]\w{0,64}(?:Error|Exception)\b|Microsoft\.EntityFrameworkCore\.\w+|\bActiveRecord::[A-Z]\w+|\bPG::[A-Z]\w+/,
  },
  ...DRIVER_SIGNATURES,
  ...RUNTIME_SIGNATURES,
  ...EXPOSURE_SIGNATURES,
  ...DISCLOSURE_SIGNATURES,
  ...SECRET_SIGNATURES,
];

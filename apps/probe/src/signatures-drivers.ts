/**
 * Signatures of database drivers, ORMs and data services as their errors reach a client serialized
 * whole or in their own words, not as the message the first driver signatures know: a node-postgres
 * error object (`"severity":"ERROR","code":"42P01",…,"file":"parse_relation.c"`), Prisma's error
 * object and its record-not-found wording, MongoDB's server error fields, Sequelize's validation
 * items, Elasticsearch's error body, Redis's other reply errors, Spring's and Hibernate's
 * persistence messages, .NET data drivers, DynamoDB's fault type, PostgREST's codes and
 * PostgreSQL's privilege and row-security texts.
 */
import type { Signature } from './signatures.js';

/** A JSON key and the start of its value: `"name"` then `:` with bounded spaces (a regex source). */
const key = (name: string) => String.raw`"${name}"\s{0,4}:\s{0,4}`;

/** Driver and ORM texts of round 8, checked after the first driver signatures. */
export const DRIVER_SIGNATURES: readonly Signature[] = [
  {
    rule: 'leak/driver-pg',
    severity: 'high',
    description: 'PostgreSQL error object or text',
    // node-postgres's DatabaseError as JSON writes it (its message is not enumerable: what is left is its
    // severity and SQLSTATE, the server's C source file and routine); PostgREST's `PGRST` codes;
    // PostgreSQL's privilege, row-security, unquoted-column and function texts.
    pattern: new RegExp(
      [
        String.raw`${key('severity')}"(?:ERROR|FATAL|PANIC)"\s{0,4},\s{0,4}${key('code')}"[0-9A-Z]{5}"`,
        String.raw`${key('file')}"[\w-]{1,64}\.c"\s{0,4},\s{0,4}${key('line')}"?\d`,
        String.raw`${key('code')}"PGRST\d{3}"`,
        'violates row-level security policy for table "',
        String.raw`\bpermission denied for (?:table|relation|schema|sequence|function|database|view) [\w."]{1,128}`,
        String.raw`\bcolumn [a-z_]\w{0,63}\.[a-z_]\w{0,63} does not exist`,
        'No function matches the given name and argument types',
        String.raw`\boperator does not exist: [\w ]{1,64} [=<>~!]{1,3} [\w ]{1,64}`,
      ].join('|'),
    ),
  },
  {
    rule: 'leak/driver-prisma',
    severity: 'high',
    description: 'Prisma error object or text',
    // The error object (`{"code":"P2002","clientVersion":"5.10.2","meta":{…}}`) and P2025's own wording.
    pattern: new RegExp(
      [
        String.raw`${key('code')}"P[1-6]\d{3}"\s{0,4},\s{0,4}"(?:clientVersion|meta|batchRequestIdx)"`,
        String.raw`${key('clientVersion')}"\d{1,3}\.\d{1,3}\.\d{1,3}`,
        'An operation failed because it depends on one or more records that were required but not found',
      ].join('|'),
    ),
  },
  {
    rule: 'leak/driver-mongo',
    severity: 'high',
    description: 'MongoDB error fields',
    // A MongoServerError as JSON writes it: `"codeName":"DuplicateKey"`, `"keyPattern":{"email":1}`.
    pattern: new RegExp(
      `${key('codeName')}"[A-Z][A-Za-z]{2,64}"|${key('keyPattern')}\\{|${key('errorLabelSet')}|\\bserver selection timed out after \\d+ ms`,
    ),
  },
  {
    rule: 'leak/driver-redis',
    severity: 'high',
    description: 'Redis error text',
    // Redis's other reply errors and ioredis's own texts.
    pattern:
      /\bLOADING Redis is loading|\bNOSCRIPT No matching script|\bBUSY Redis is busy|\bCLUSTERDOWN\b|\bOOM command not allowed|\bEXECABORT Transaction discarded|\bERR max number of clients reached|\bMOVED \d{1,5} [\w.:-]{1,128}:\d{2,5}|\bmaxRetriesPerRequest\b|\bClusterAllFailedError\b/,
  },
  {
    rule: 'leak/orm',
    severity: 'high',
    description: 'ORM or data framework error text',
    // Sequelize's validation items (`"validatorKey":"not_unique"`, `"type":"unique violation"`), its
    // `notNull Violation`; Spring's and Hibernate's persistence messages; Entity Framework's and .NET
    // data drivers' exceptions.
    pattern: new RegExp(
      [
        `${key('validatorKey')}"`,
        `${key('type')}"(?:unique violation|notNull Violation|Validation error)"`,
        String.raw`\bnotNull Violation: \w{1,64}\.\w{1,64} cannot be null`,
        String.raw`\bcould not (?:execute statement|extract ResultSet|execute query|prepare statement|obtain connection)\b`,
        String.raw`; SQL \[[^\]\n]{0,512}\]; (?:constraint|nested exception)`,
        String.raw`\bAn error occurred while (?:saving|updating) the entit(?:y|ies) changes?\b`,
        String.raw`\b(?:DbUpdate(?:Concurrency)?Exception|Npgsql(?:\.\w{1,64}){0,3}Exception|MySqlConnector\.\w{1,64}Exception|MySql\.Data\.[\w.]{1,128}Exception|Oracle\.ManagedDataAccess\.[\w.]{1,128}Exception|StackExchange\.Redis\.\w{1,64}Exception|MongoDB\.Driver\.\w{1,64}Exception)\b`,
      ].join('|'),
    ),
  },
  {
    rule: 'leak/sql',
    severity: 'high',
    description: 'database service error text (Elasticsearch, DynamoDB, Go, Rust)',
    // Elasticsearch's error body (`"root_cause":[{"type":"illegal_argument_exception","reason":…`),
    // DynamoDB's fault type, Go's `database/sql` and Rust's sqlx wording.
    pattern: new RegExp(
      [
        String.raw`${key('root_cause')}\[`,
        String.raw`${key('type')}"[a-z][a-z_]{1,64}_exception"\s{0,4},\s{0,4}${key('reason')}"`,
        String.raw`\bcom\.amazonaws\.dynamodb\.v\d{8}#\w{1,64}`,
        String.raw`\bRequested resource not found: Table: [\w.-]{1,255}`,
        String.raw`\bsql: (?:converting argument|expected \d+ arguments|Rows are closed|connection is already closed)`,
        String.raw`\berror returned from database: `,
      ].join('|'),
    ),
  },
];

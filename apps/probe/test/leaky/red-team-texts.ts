/**
 * A leaky target on node:http answering error texts of other runtimes, drivers and settings than the
 * first signature set knew: Java 9+ module frames, Kotlin files and `Caused by:`, Go panics and dial
 * errors, .NET exception classes and frames without files, Ruby's NoMethodError, PHP's `file.php:3`,
 * MongoError, Prisma's and TypeORM's own texts, MySQL's without their codes, Redis's ReplyError, SQL
 * Server's syntax error, AWS ARNs and cloud service hosts, configuration dumps and connection
 * strings, lower-case Windows and UNC paths, product versions written with a space, an ETag holding
 * a file's inode, the version row of Django's debug page, a Node.js frame of a relative file starting a
 * JSON string (an Apollo `stacktrace` line), and a Java frame as Jackson serializes it. The texts
 * are answered a few to a path (never two of one rule on a path, so each finding is one text's),
 * on every request; the paths are given to the probe as `--path` hints.
 */
import { createServer } from 'node:http';
import type { Severity } from '../../src/findings.js';
import { type LeakyTarget, type Planted, portOf } from './planted.js';

/** One leaked text: the rule and severity that must report it, and what its finding's evidence holds. */
export interface LeakedText extends Planted {
  readonly severity: Severity;
  /** The text, in the body; or a header field's value. */
  readonly text: string;
  readonly header?: string;
  /** Part of the evidence of the finding that reports it. */
  readonly needle: string;
}

const M = 'medium' as const;
/** [rule, text, needle, severity (high when absent), header]: every text here was missed before. */
const TEXTS: readonly [string, string, string, Severity?, string?][] = [
  ['leak/stack-java', '\tat java.base/java.lang.Thread.run(Thread.java:833)', 'java.base/'],
  ['leak/stack-java', 'at com.acme.api.UserController.get(UserController.kt:42)', 'UserController.kt'],
  ['leak/stack-java', 'Caused by: com.mysql.cj.jdbc.exceptions.CommunicationsException: link failure', 'Caused by'],
  ['leak/stack-go', 'panic: runtime error: index out of range [5] with length 3', 'panic: runtime'],
  ['leak/errno', 'dial tcp: lookup postgres on 127.0.0.11:53: no such host', 'dial tcp', M],
  ['leak/stack-dotnet', 'System.NullReferenceException: Object reference not set', 'NullReference'],
  ['leak/stack-dotnet', '   at Shop.Api.OrdersController.Get(Int32 id)', 'OrdersController'],
  ['leak/stack-ruby', "undefined method `email' for nil:NilClass", 'undefined method'],
  ['leak/stack-php', 'Uncaught PDOException: could not find driver in db.php:3', 'db.php:3'],
  ['leak/driver-mongo', 'MongoError: connection 0 to mongo-0:27017 closed', 'MongoError'],
  ['leak/driver-prisma', 'Unique constraint failed on the fields: (`email`)', 'Unique constraint'],
  ['leak/orm', 'EntityMetadataNotFoundError: No metadata for "User" was found.', 'EntityMetadata'],
  ['leak/driver-mysql', "Access denied for user 'app'@'172.18.0.4' (using password: YES)", 'Access denied'],
  ['leak/driver-mysql', "Unknown column 'emial' in 'field list'", 'Unknown column'],
  ['leak/driver-redis', "ReplyError: ERR wrong number of arguments for 'get' command", 'ReplyError'],
  ['leak/sql', "Incorrect syntax near 'FROM'.", 'Incorrect syntax'],
  ['leak/private-ip', 'User: arn:aws:iam::123456789012:user/deployer is not authorized', 'arn:aws:iam', M],
  ['leak/private-ip', 'upstream db.service.consul is down', 'service.consul', M],
  ['leak/private-ip', 'cannot reach prod-db.c9akciq32.us-east-1.rds.amazonaws.com', '.rds.amazonaws', M],
  ['leak/secret', '{"config":{"jwtSecret":"s3cr3t-signing-key"}}', 'Secret'],
  ['leak/secret', '{"db":{"host":"db","password":"hunter2"}}', 'hunter2'],
  ['leak/secret', 'Server=tcp:sql01,1433;User ID=sa;Password=P@ssw0rd!;', 'Password=P@ss'],
  ['leak/secret', 'spring.datasource.password=Sup3rS3cret', 'Sup3rS3cret'],
  ['leak/path', 'cannot open c:\\users\\svc\\app\\config.json', 'c:\\users', M],
  ['leak/path', 'cannot open \\\\fileserver01\\share$\\config.xml', 'fileserver01', M],
  ['leak/path', 'in /usr/local/lib/python3.11/site-packages/flask/app.py', '/usr/local/lib', M],
  ['leak/version', 'Puma 6.4.0', 'Puma 6', M, 'server'],
  ['leak/version', 'WSGIServer/0.2 CPython/3.10.12', 'WSGIServer/0', M, 'server'],
  ['leak/version', 'Next.js 14.1.0', 'Next.js 14', M, 'x-powered-by'],
  ['leak/stack-node', '    at Object.order (resolvers.js:12:9)', 'resolvers.js:12'],
  ['leak/stack-java', '{"methodName":"get","fileName":"OrderController.java","lineNumber":42}', 'OrderController'],
  ['leak/inode', '"2a-5d1b-5f0c"', '2a-5d1b-5f0c', 'low', 'etag'],
  ['leak/debug', '<tr><th>Django Version:</th><td>4.2.1</td></tr>', 'Django Version', M],
  // Round 7: Server-Timing naming tables and ORM calls, source maps, a generator's version, Google Cloud
  // resource names, GraphQL field suggestions.
  ['leak/sql', 'cache;desc="hit", sql-users_private;dur=3', 'users_private', M, 'server-timing'],
  ['leak/sql', 'db;desc="User.findMany";dur=4', 'User.findMany', M, 'server-timing'],
  ['leak/source-map', '/static/js/main.3f2a9c.js.map', 'main.3f2a9c', M, 'sourcemap'],
  ['leak/source-map', '/assets/app.js.map', 'app.js.map', M, 'x-sourcemap'],
  ['leak/source-map', 'failed\n//# sourceMappingURL=bundle.min.js.map', 'sourceMappingURL', M],
  ['leak/version', 'Drupal 10 (https://www.drupal.org)', 'Drupal 10', M, 'x-generator'],
  ['leak/private-ip', 'Permission denied on projects/shop-prod-4411/secrets/db-password/versions/3', 'secrets/db-', M],
  ['leak/private-ip', 'caller deployer@shop-prod-4411.iam.gserviceaccount.com lacks access', 'deployer@', M],
  ['leak/graphql-schema', 'Cannot query field "passwrd" on type "User". Did you mean "password"?', 'passwrd', 'low'],
];

/** Each text on the first group path that holds no other text of its rule. */
function grouped(): LeakedText[] {
  const groups: Set<string>[] = [];
  return TEXTS.map(([rule, text, needle, severity = 'high', header]) => {
    let index = groups.findIndex((rules) => !rules.has(rule));
    if (index === -1) index = groups.push(new Set()) - 1;
    groups[index]?.add(rule);
    return { rule, where: `/group-${index + 1}`, severity, text, needle, ...(header === undefined ? {} : { header }) };
  });
}

/** The texts, each with the path that answers it. */
export const RED_TEAM_TEXTS: readonly LeakedText[] = grouped();

/** The texts target: each group path answers its texts (a line each) and header fields; clean problem JSON elsewhere. */
export async function redTeamTexts(): Promise<LeakyTarget> {
  const server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const texts = RED_TEAM_TEXTS.filter((t) => path === t.where || path.startsWith(`${t.where}/`));
    const fields = Object.fromEntries(texts.flatMap((t) => (t.header === undefined ? [] : [[t.header, t.text]])));
    res.writeHead(texts.length === 0 ? 404 : 500, {
      'content-type': 'application/problem+json',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'x-request-id': crypto.randomUUID(),
      ...fields,
    });
    const lines = texts.filter((t) => t.header === undefined).map((t) => JSON.stringify({ error: t.text }));
    res.end(texts.length === 0 ? '{"type":"about:blank","title":"Not Found","status":404}' : lines.join('\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'red team texts',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: RED_TEAM_TEXTS.map(({ rule, where, severity }) => ({ rule, where, severity })),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

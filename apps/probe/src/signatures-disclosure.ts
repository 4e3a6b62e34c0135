/**
 * Signatures of what an answer discloses beside its errors: queries and tables named in a
 * `Server-Timing` field, source maps, a generator's version, Google Cloud resource names and
 * service accounts, and a GraphQL schema (an introspection answer, or the field names a GraphQL
 * error suggests even with introspection off).
 */
import type { Signature } from './signatures.js';

/**
 * A `Server-Timing` metric named for a database call or a table (`sql-users_private;dur=3`,
 * `db.orders`), not for a kind of work (`db;dur=53`, `db-query;dur=4`, `sql-total;dur=9`,
 * `prisma:query`), as a regex source.
 */
const TIMING_NAME = String.raw`(?:sql|db|pg|mysql|mongo(?:db)?|query|orm|prisma|sequelize|typeorm|knex)(?::query)?[-_.:](?!(?:total|time|times|timing|read|write|reads|writes|query|queries|call|calls|conn|connect|connection|pool|wait|exec|execute|fetch|lookup|main|primary|replica|hit|miss|count|latency|duration|select|insert|update|delete|upsert|tx|transaction|commit|rollback|migrate|load|save|init|open|close|parse|plan|prepare|build|compile|cache|cached|hydrate|map|serialize|retry)\b)[A-Za-z]\w{1,64}`;

/**
 * A `Server-Timing` description naming a query's table (`desc="from users"`, `desc="users.findMany"`,
 * `desc="table=orders"`: SQL's keywords in upper case, as it is written), as a regex source; a whole SQL statement is the SQL signature's.
 */
const TIMING_DESC = String.raw`desc="?[^";,\n]{0,256}?(?:\b(?:FROM|INTO|JOIN|UPDATE)\s{1,8}["\x60]?[A-Za-z_]\w{1,64}|\btable[:=]["\x60]?[A-Za-z_]\w{1,64}|\b[A-Za-z]\w{0,64}\.(?:find(?:Many|First|Unique|All|One|ById|AndCount)?|create(?:Many)?|update(?:Many)?|upsert|destroy|delete(?:Many)?|aggregate)\b)`;

/** Disclosures, checked after the exposure signatures and before the secrets (a service account is no e-mail). */
export const DISCLOSURE_SIGNATURES: readonly Signature[] = [
  {
    rule: 'leak/sql',
    severity: 'medium',
    description: 'query, table or ORM call named in a Server-Timing field',
    // `Server-Timing: sql-users_private;dur=3`, `db;desc="from users"`: harmless metrics (`cache;desc="hit"`,
    // `total;dur=12`, `db;dur=53`) name no table.
    pattern: new RegExp(String.raw`(?:^|\n)server-timing: [^\n]{0,1024}?(?:(?<![\w-])${TIMING_NAME}|${TIMING_DESC})`),
  },
  {
    rule: 'leak/source-map',
    severity: 'medium',
    description: 'source map reference (the source code behind the answer)',
    // A `SourceMap` or `X-SourceMap` field, or a `//# sourceMappingURL=` comment (`/*# …*/` in CSS), which
    // hands out the original sources.
    pattern: /(?:^|\n)(?:x-)?sourcemap: *\S|(?:\/\/|\/\*)[#@] ?sourceMappingURL=\S/i,
  },
  {
    rule: 'leak/version',
    severity: 'medium',
    description: 'generator version (X-Generator field or generator meta tag)',
    // `X-Generator: Drupal 10 (https://www.drupal.org)`, `<meta name="generator" content="Hugo 0.120.4">`:
    // a major version alone names the release too.
    pattern:
      /(?:^|\n)(?:x-generator|x-powered-cms|x-cms): [^\n]{0,256}?\b[A-Za-z][\w.-]{1,64}[/ ]v?\d{1,4}\b|<meta\s+name=["']?generator["']?\s+content=["'][^"'<>]{0,128}?\b[A-Za-z][\w.-]{1,64} v?\d{1,4}(?:\.\d{1,4})*\b/i,
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'cloud resource name (Google Cloud secret or service account)',
    // A Secret Manager secret's resource name (`projects/my-proj/secrets/db-password/versions/3`: a
    // project id is lower case, so `projects/PROJECT_ID/secrets/…` of documentation is not one) and a
    // service account (`deployer@my-proj.iam.gserviceaccount.com`, `123-compute@developer.…`).
    pattern:
      /\bprojects\/(?:[a-z][a-z0-9-]{4,28}[a-z0-9]|\d{6,20})\/secrets\/[\w-]{1,255}|(?<![\w.+-])[\w.+-]{1,64}@(?:[a-z][a-z0-9-]{4,28}[a-z0-9]\.iam|developer|appspot|cloudservices|cloudbuild|gcp-sa-[a-z-]{1,40}\.iam)\.gserviceaccount\.com\b/,
  },
  {
    rule: 'leak/graphql-schema',
    severity: 'medium',
    description: 'GraphQL introspection answer (the whole schema)',
    pattern: /"__schema"\s{0,8}:\s{0,8}\{\s{0,8}"(?:queryType|mutationType|subscriptionType|types|directives)"/,
  },
  {
    rule: 'leak/graphql-schema',
    severity: 'low',
    description: 'GraphQL field suggestion (schema names, even with introspection off)',
    // graphql-js's validation errors: `Cannot query field "passwrd" on type "User". Did you mean "password"?`.
    pattern:
      /\b(?:Cannot query field|Unknown argument|Unknown type|is not defined by type|does not exist in) ["'][^"'\n]{1,128}["'][^\n]{0,256}?Did you mean (?:the [\w ]{1,24} )?["']/,
  },
];

/**
 * SQL in any case (Knex, TypeORM and hand-written queries log it lower-case), told apart from prose
 * by SQL's own structure: `select an option from the table below` and `could not delete from your
 * cart` are words, `select "users".* from "users" where …` and `insert into "orders" ("id") values`
 * are a query.
 */
import type { Signature } from './signatures.js';

/** An identifier as SQL writes it: plain, qualified, quoted or bracketed. */
const IDENT = String.raw`[\w."\`[\]]{1,128}`;

/** A word of prose where a query names its table: `from the list`, `from your cart`. */
const DETERMINER = '(?:the|a|an|this|that|these|those|your|our|my|its|their|his|her|each|every|any|some|one)';

/** What follows a table in a query: a clause keyword. */
const CLAUSE = String.raw`(?:where|(?:inner\s+|left\s+|right\s+|full\s+|cross\s+)?join|order\s+by|group\s+by|limit|offset|returning|for\s+update)\b`;

/** Lower- or mixed-case SQL with the structure of a query, checked after the upper-case SQL signature. */
export const LOWER_CASE_SQL: readonly Signature[] = [
  {
    rule: 'leak/sql',
    severity: 'high',
    description: 'SQL text',
    pattern: new RegExp(
      [
        // select *, select t.*, select "a", select a, b … from
        String.raw`\bselect\s+(?:distinct\s+)?(?:\*|[\w.]{1,128}\.\*|["\`[][^\n]{0,512}?|[\w.]{1,128},\s?[\w*,\s."\`[\]]{0,512}?)\s+from\s`,
        // select … from <table> where / join / order by …
        // (not a determiner: `select one item from the table where the price is lowest` is prose).
        String.raw`\bselect\s+[\w*,\s."\`[\]]{1,512}?\s+from\s+(?!${DETERMINER}\s)${IDENT}\s+(?:(?:as\s+)?\w{1,64}\s+)?${CLAUSE}`,
        // … or a statement that failed on it (`insert into orders failed: duplicate key …`)
        String.raw`\binsert\s+into\s+${IDENT}\s*(?:\(|values\b|select\b|default\s+values\b|failed\b)`,
        String.raw`\bdelete\s+from\s+${IDENT}\s+(?:where|returning|using|failed)\b`,
        String.raw`\bupdate\s+${IDENT}\s+set\s+${IDENT}\s*=`,
      ].join('|'),
      'i',
    ),
  },
];

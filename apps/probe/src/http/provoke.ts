/**
 * Requests that are valid HTTP but that a handler or its parser seldom expects: JSON nested deeper
 * than parsers and recursive validators allow (Python's recursion limit, Jackson's and Go's depth
 * limits, a validator's stack), a query key given twice (an array where a string was expected),
 * objects where ids and names go (`{"id": {}}`), a method no server knows (a parser's error), and a
 * URL and a header field longer than an application's own limits but within the server's (the
 * oversized probes' 100 KB URL and 24 KB field are refused by a server's parser, 16 KB in Node.js,
 * before any handler sees them).
 */
import type { HttpProbe } from './client.js';

/**
 * How deep the nested JSON goes: past Python's default recursion limit (1000), Jackson's (1000), Go's
 * `encoding/json` (10000) and the stack of a recursive function in Node.js (about 10000 frames).
 */
export const NESTING = 12_000;

/** A URL's query and a header field's value: over the 2, 4 and 8 KB that applications allow, under Node.js's 16 KB head. */
export const LONG = 12_000;

/** Every field of the probe's generic shape as an empty object. */
const OBJECTS = JSON.stringify({ id: {}, email: {}, name: {}, quantity: {} });

/** The provoking probes for `path` (a known route or the base). */
export function provokingProbes(path: string): HttpProbe[] {
  const target = path || '/';
  const json = { 'content-type': 'application/json' };
  return [
    {
      name: 'deep-json',
      request: {
        method: 'POST',
        path: target,
        headers: json,
        body: `{"id":${'['.repeat(NESTING)}${']'.repeat(NESTING)}}`,
      },
    },
    { name: 'object-fields', request: { method: 'POST', path: target, headers: json, body: OBJECTS } },
    {
      name: 'duplicate-query',
      request: { method: 'GET', path: `${target}${target.includes('?') ? '&' : '?'}id=1&id=2` },
    },
    { name: 'unknown-method', request: { method: 'BREW', path: target } },
    {
      name: 'long-query',
      request: { method: 'GET', path: `${target}${target.includes('?') ? '&' : '?'}q=${'u'.repeat(LONG)}` },
    },
    { name: 'long-header', request: { method: 'GET', path: target, headers: { 'x-probe-big': 'a'.repeat(LONG) } } },
  ];
}

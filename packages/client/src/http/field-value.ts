/**
 * An HTTP field value as RFC 9110 (5.5) defines it: the spaces and tabs around it are not part of
 * it (undici's fetch keeps what a server sends after a value, where `node:http` drops it).
 */

/** `value` without the spaces and tabs around it, in one pass (a `[ \t]+$` regex is quadratic on a long run of them). */
export function trimOws(value: string): string {
  const ows = (i: number) => value[i] === ' ' || value[i] === '\t';
  let start = 0;
  let end = value.length;
  while (start < end && ows(start)) start += 1;
  while (end > start && ows(end - 1)) end -= 1;
  return value.slice(start, end);
}

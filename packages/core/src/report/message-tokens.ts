/**
 * The characters and tokens a message's shape is read by (message-shape.ts): character classes,
 * unquoted URLs and the token after a system error's code, found by hand in one pass (no regex
 * per message part).
 */

/** Longest name kept (Postgres identifiers are at most 63 bytes): a longer quoted one is folded, a URL's cut. */
export const MAX_NAME = 64;
/** True for `[0-9A-Fa-f]`. */
export function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** True for a regex word character, `[A-Za-z0-9_]` (`\w` without the `u` flag). */
export function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** True for `[A-Za-z]`. */
export function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** True for a character that ends an unquoted URL or token: whitespace, a quote, `<`, `>`, `)`. */
export function endsToken(c: number): boolean {
  return c <= 32 || c === 34 || c === 39 || c === 60 || c === 62 || c === 41;
}

/**
 * Where the unquoted URL whose `://` is at `at` starts (its scheme: 2-16 letters, digits, `+`,
 * `-`, `.`, from a letter), or -1 when `at` is no URL's or the scheme reaches before `from`.
 */
export function urlStart(text: string, at: number, from: number): number {
  if (text.charCodeAt(at + 1) !== 47 || text.charCodeAt(at + 2) !== 47) return -1;
  let s = at;
  while (s > from) {
    const c = text.charCodeAt(s - 1);
    if (!(isWord(c) || c === 43 || c === 45 || c === 46)) break;
    s -= 1;
  }
  return at - s >= 2 && at - s <= 16 && isLetter(text.charCodeAt(s)) && (s === 0 || endsToken(text.charCodeAt(s - 1)))
    ? s
    : -1;
}

/** Where the URL authority starting at `from` ends: its first `/`, `?` or `#`, else `end`. */
export function authorityEnd(text: string, from: number, end: number): number {
  let i = from;
  while (i < end && !'/?#'.includes(text.charAt(i))) i += 1;
  return i;
}

/** The host (`host[:port]`) of the URL authority `text[from, to)`, its credentials left out. */
export function authorityHost(text: string, from: number, to: number): string {
  const at = to > from ? text.lastIndexOf('@', to - 1) : -1;
  return text.slice(at >= from ? at + 1 : from, to);
}

/**
 * The name of the URL whose authority starts at `from` and which ends at `end`: its host (no
 * credentials, port kept) and path (no query or fragment), each path segment holding a digit
 * folded to `0` (ids, dates, UUIDs), at most {@link MAX_NAME} characters.
 */
export function urlName(text: string, from: number, end: number): string {
  const pathStart = authorityEnd(text, from, end);
  let name = authorityHost(text, from, pathStart);
  let i = pathStart;
  while (i < end && text.charCodeAt(i) === 47 && name.length < MAX_NAME) {
    let j = i + 1;
    let digit = false;
    while (j < end && !'/?#'.includes(text.charAt(j))) {
      const c = text.charCodeAt(j);
      if (c >= 48 && c <= 57) digit = true;
      j += 1;
    }
    name += digit ? '/0' : text.slice(i, j);
    i = j;
  }
  return name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name;
}

/**
 * Where the token after a system error's code at `at` starts (`ENOTFOUND` in `getaddrinfo
 * ENOTFOUND db.internal`: `E` and at least three more of `[A-Z_]`, after the start or a space,
 * then one space), or -1.
 */
export function codeTokenStart(text: string, at: number): number {
  if (at > 0 && text.charCodeAt(at - 1) !== 32) return -1;
  let j = at + 1;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (!((c >= 65 && c <= 90) || c === 95)) break;
    j += 1;
  }
  return j - at >= 4 && text.charCodeAt(j) === 32 && j + 1 < text.length && !endsToken(text.charCodeAt(j + 1))
    ? j + 1
    : -1;
}

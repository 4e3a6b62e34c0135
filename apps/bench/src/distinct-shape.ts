/**
 * A fault whose message differs in its words, not only its numbers: a distinct shape (and so a
 * full record, never a compacted repeat) per `i`. The name is `i` in base 26 written with the
 * letters a-z: no two `i` share it (writing base 36 with its digits turned into letters made
 * 313,000 of the first 500,000 names repeat an earlier one).
 */
export function distinctShape(i: number): Error {
  let name = '';
  let n = Math.max(0, Math.floor(i));
  do {
    name = String.fromCharCode(97 + (n % 26)) + name;
    n = Math.floor(n / 26);
  } while (n > 0);
  return Object.assign(new Error(`user ${name} could not be charged by provider ${name}pay`), { code: 'ECHARGE' });
}

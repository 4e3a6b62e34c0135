/**
 * A fault whose message differs in its words, not only its numbers: a distinct shape (and so a
 * full record, never a compacted repeat) per `i`.
 */
export function distinctShape(i: number): Error {
  const name = i.toString(36).replace(/\d/g, (d) => 'abcdefghij'[Number(d)] ?? 'x');
  return Object.assign(new Error(`user ${name} could not be charged by provider ${name}pay`), { code: 'ECHARGE' });
}

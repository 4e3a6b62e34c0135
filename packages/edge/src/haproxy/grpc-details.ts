/**
 * `grpc-status-details-bin` with the request's id, built by HAProxy's sample converters (no Lua).
 * The value is the base64 of `part0 + id + part1 + id + part2` (see `../grpc/answers.ts`), and base64
 * of concatenated pieces is the concatenation of their base64 when every piece but the last is a
 * multiple of 3 bytes. So the bytes are cut at multiples of 3: a piece of constant bytes only is
 * written as its base64; a piece holding an id (a window: the last bytes before it, the id, the
 * first bytes after it, aligned) is built per answer as
 * `var(<bytes before>),concat(,txn.request_id,),concat(,<bytes after>,),base64`, its constant
 * bytes held in process-wide variables set once at start (`set-var proc.… str(<base64>),b64dec`).
 * A variable's bytes are read as a string up to the first NUL byte: none may hold one.
 */

/** The request id's variable, a canonical UUID (36 bytes). */
const ID_VARIABLE = 'txn.request_id';
const ID_BYTES = 36;

/** The process-wide variables holding the windows' constant bytes, one per distinct value. */
export class DetailsBytes {
  private readonly names = new Map<string, string>();

  /** The variable holding `bytes` (made on first use). */
  nameOf(bytes: Buffer): string {
    if (bytes.includes(0)) throw new Error('faultline-edge: gRPC details bytes next to the id hold a NUL byte');
    const value = bytes.toString('base64');
    let name = this.names.get(value);
    if (name === undefined) {
      name = `proc.faultline_grpc_${this.names.size + 1}`;
      this.names.set(value, name);
    }
    return name;
  }

  /** The `global` section's lines setting every variable. */
  globalLines(): string[] {
    return [...this.names].map(([value, name]) => `  set-var ${name} str(${value}),b64dec`);
  }
}

/** One run of the details: constant bytes, or the id. */
type Run = Buffer | 'id';

/** The runs of `parts` joined by the id, with their start offsets (the id counted as 36 bytes). */
function runsOf(parts: readonly Uint8Array[]): { run: Run; start: number }[] {
  const runs: { run: Run; start: number }[] = [];
  let at = 0;
  parts.forEach((part, i) => {
    runs.push({ run: Buffer.from(part), start: at });
    at += part.byteLength;
    if (i < parts.length - 1) {
      runs.push({ run: 'id', start: at });
      at += ID_BYTES;
    }
  });
  return runs;
}

/** The window [from, to) as a sample expression producing its bytes, then their base64. */
function windowExpression(runs: ReturnType<typeof runsOf>, from: number, to: number, bytes: DetailsBytes): string {
  const items: string[] = [];
  for (const { run, start } of runs) {
    const end = start + (run === 'id' ? ID_BYTES : run.length);
    if (end <= from || start >= to) continue;
    if (run === 'id') {
      if (start < from || end > to) throw new Error('faultline-edge: a gRPC details window cuts the id');
      items.push(ID_VARIABLE);
    } else items.push(bytes.nameOf(run.subarray(Math.max(from, start) - start, Math.min(to, end) - start)));
  }
  const [first, ...rest] = items;
  return `%[var(${first}),${rest.map((name) => `concat(,${name},),`).join('')}base64]`;
}

/**
 * The `grpc-status-details-bin` value of details `parts` (joined by the request id) as an HAProxy
 * log-format string (no `"`, `\` or lone `%`), its constant window bytes registered in `bytes`.
 */
export function detailsFormat(parts: readonly Uint8Array[], bytes: DetailsBytes): string {
  const runs = runsOf(parts);
  const last = runs[runs.length - 1] as { run: Buffer; start: number };
  const total = last.start + last.run.length;
  // The aligned constant pieces: within a run of constant bytes, from a multiple of 3 to a multiple
  // of 3 (or to the very end).
  const pieces: [number, number][] = [];
  for (const { run, start } of runs) {
    if (run === 'id') continue;
    const from = Math.ceil(start / 3) * 3;
    const end = start + run.length;
    const to = end === total ? end : Math.floor(end / 3) * 3;
    if (to > from) pieces.push([from, to]);
  }
  /** The base64 of the constant bytes [from, to), which lie in one run. */
  const constant = (from: number, to: number) => {
    for (const { run, start } of runs)
      if (run !== 'id' && start <= from && start + run.length >= to)
        return run.subarray(from - start, to - start).toString('base64');
    throw new Error('faultline-edge: a gRPC details piece spans the id');
  };
  let format = '';
  let at = 0;
  for (const [from, to] of [...pieces, [total, total] as [number, number]]) {
    if (from > at) format += windowExpression(runs, at, from, bytes);
    if (to > from) format += constant(from, to);
    at = Math.max(at, to);
  }
  return format;
}

/**
 * What a hostile value costs the log: one bounded line per record, whatever its size or shape
 * (before, 2,000 strings of 8 KB made one record of 16 MB, 80 MB once escaped), counts that
 * balance; and value patterns that take linear time (before, 64 KB of `a://` or `eyJ-` took
 * seconds, 1 MB minutes, on the thread that redacts).
 */
import { describe, expect, it } from 'vitest';
import { type HostileFault, THREADS, unaccounted, writeFaults } from './support/hostile-records.js';
import { builtinDefinition, createRedactor, FaultError } from './support/source.js';

/** `count` distinct strings of 8 KB (`fill` repeated), in nested arrays of 99. */
function wide(count: number, fill: string): unknown[][] {
  const strings = Array.from({ length: count }, (_, i) => `${fill.repeat(8190 / fill.length)}${i}`);
  const arrays: unknown[][] = [];
  for (let i = 0; i < strings.length; i += 99) arrays.push(strings.slice(i, i + 99));
  return arrays;
}

const throwing = () => {
  throw new Error('trap');
};

/** Huge, deep, wide, cyclic and hostile values. */
function hostile(): HostileFault[] {
  const cyclic: Record<string, unknown> = { name: 'cycle' };
  cyclic.self = cyclic;
  let deep: unknown = 'leaf';
  for (let i = 0; i < 10_000; i += 1) deep = { deep };
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const everyTrap = new Proxy(
    {},
    { get: throwing, getPrototypeOf: throwing, ownKeys: throwing, has: throwing, getOwnPropertyDescriptor: throwing },
  );
  class Hostile extends Error {
    override get name(): string {
      return throwing();
    }
    override get message(): string {
      return throwing();
    }
    override get stack(): string {
      return throwing();
    }
  }
  const thenable = Object.defineProperty(new Error('then'), 'then', { get: throwing, enumerable: true });
  return [
    { thrown: Object.assign(new Error('wide'), { rows: wide(2000, 'x') }) },
    { thrown: Object.assign(new Error('escaped'), { rows: wide(400, '\u0000\u2028') }) },
    { thrown: new Error('m'.repeat(50 * 1024 * 1024)) },
    { thrown: Object.assign(new Error('long array'), { items: new Array(100_000).fill('y'.repeat(100)) }) },
    {
      thrown: Object.assign(new Error('many keys'), {
        keys: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`key${i}${'k'.repeat(120)}`, i])),
      }),
    },
    { thrown: new FaultError(builtinDefinition('internal'), { meta: { rows: wide(400, 'z') } }) },
    { thrown: new Error('attributes'), attributes: { rows: wide(400, 'w') } },
    { thrown: new AggregateError([everyTrap, revocable.proxy, cyclic, new Hostile()], 'hostile') },
    { thrown: everyTrap },
    { thrown: revocable.proxy },
    { thrown: new Hostile() },
    { thrown: Object.assign(new Error('deep'), { deep, cyclic }) },
    { thrown: thenable },
  ];
}

describe.each(THREADS)('hostile values, written on the %s thread', (thread) => {
  it('make one bounded, parseable line per record, and the counts balance', async () => {
    const faults = hostile();
    const written = await writeFaults(thread, faults);
    const longest = Math.max(...written.lines.map((line) => Buffer.byteLength(line)));
    // Three walks (the thrown value, meta, attributes) of at most 32,768 characters each, even
    // when every character is escaped: well under a megabyte.
    expect(longest).toBeLessThan(1_000_000);
    expect(written.records.every((record) => typeof record?.request_id === 'string')).toBe(true);
    expect(written.stats.written).toBe(faults.length + (thread === 'worker' ? 1 : 0));
    expect(unaccounted(written.stats)).toBe(0);
    // The wide record keeps what fits and says what it cut.
    expect(/"\[\+\d+ more\]"/.test(written.recordLines[0] ?? '')).toBe(true);
  }, 60_000);
});

/** Text the value patterns (or their hints) used to scan again and again. */
const ADVERSARIAL: readonly string[] = [
  'a://',
  'x://a:b',
  'ab://u:p@',
  'eyJ-',
  'eyJa.',
  'sk-',
  'glpat-',
  'xoxb-',
  'AIza-',
  '-----BEGIN PRIVATE KEY-----!',
  'password="',
  'password%3A%22',
  'authorization: "bearer ',
  'Bearer ',
  'token=a&secret=b;pass:c,',
  'a@b.c.c.c.c.c.c ',
  '1 2-',
  // user:password@host without a scheme, raw and percent-encoded; auth schemes in any case; key ids glued to a word.
  'a:a@',
  'a:@',
  '!a:',
  'a:a@a.a.a.a.a.a.a.a.a.',
  'a%3Aa%40',
  '%41a%3A',
  'basic ',
  'BASIC a/',
  'token+',
  'basic%20',
  'xAKIA',
  'AKIA',
  // A Stripe key glued to a word; passwords holding colons; a single label at a word's end; Digest's
  // response; signed URLs' and Azure's key pairs.
  'xsk_live_',
  'ksk_test_a',
  'sk_live_sk_test_1',
  'a:a:a:a:a@',
  ',a:',
  ',a:b:',
  '!a:1:',
  ',a:1@a ',
  'a:1@a',
  'a:b:c:1@a.',
  'x:1//:',
  'a%3Aa%3A',
  '%2Ca%3A1',
  'a%3A1%40a&',
  'response=',
  'response=\\"',
  '%20response%3D%22a',
  `response=${'a'.repeat(31)} `,
  'sig=&AccountKey=',
  'mysql ',
  'mysql -',
  'mysql -p',
  'mariadb\t-p ',
  'xapp-1-',
  'hf_aaaa',
  `SK${'a'.repeat(31)} `,
  `dop_v1_${'a'.repeat(63)} `,
];

describe('value patterns on adversarial text', () => {
  // Bounds far above what linear patterns take (a few ms to tens of ms here), far below what the
  // quadratic ones took (a second for 64 KB, 139-375 s for 1 MB): a loaded CI machine stays green.
  it('take time linear in its length: 1 MB in seconds, not minutes', () => {
    const redactor = createRedactor({ maxStringLength: 2_000_000, maxTotalLength: 2_000_000 });
    const timed = (text: string): number => {
      const started = performance.now();
      redactor.redactString(text);
      return performance.now() - started;
    };
    for (const unit of ADVERSARIAL) {
      // 64 KB first: a quadratic pattern takes most of a second here, and minutes at 1 MB.
      expect(timed(unit.repeat(65_536 / unit.length)), `64 KB of ${JSON.stringify(unit)}`).toBeLessThan(2_000);
      expect(timed(unit.repeat(1_048_576 / unit.length)), `1 MB of ${JSON.stringify(unit)}`).toBeLessThan(10_000);
    }
  }, 120_000);
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryLog } from '@faultline/testkit';
import { describe, expect, it } from 'vitest';
import { JsonList } from '../src/report/json-list.js';
import { formatLine } from '../src/report/line-format.js';
import { capture, createReporter } from './support/source.js';

/** Faults of one throw site (so all but the first repeat), with the given ids and contexts. */
function repeats(count: number, id: (i: number) => string) {
  const site = (i: number) =>
    capture(new Error('upstream refused the call'), { requestId: id(i), requestIdTrusted: true });
  return Array.from({ length: count }, (_, i) => site(i));
}

function linesOf(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('ids and contexts of compact lines, held off the heap (#21)', () => {
  it('reads back exactly what was pushed: UUIDs as they are, anything else escaped', () => {
    const list = new JsonList();
    // UUID-shaped but not canonical: upper case, a dash out of place, and characters whose low 7
    // bits are a hex digit or a dash (U+0130, U+012D), which must not be copied as those bytes.
    const odd = [
      'a"b\\c',
      'line\nbreak',
      'caf\u00e9 \u{1f600}',
      '',
      'ABCDEF00-0000-4000-8000-000000000000',
      'abcdef00-0000-4000-8000-00000000000-',
      '\u0130bcdef00-0000-4000-8000-000000000000'.slice(0, 36),
      'abcdef00\u012d0000-4000-8000-000000000000',
    ];
    const uuids = Array.from({ length: 5 }, () => randomUUID());
    for (const id of [...uuids, ...odd]) list.pushString(id);
    list.pushJson(JSON.stringify({ request_id: 'x', route: '/ü' }));
    expect(list.count).toBe(14);
    expect(JSON.parse(list.json())).toEqual([...uuids, ...odd, { request_id: 'x', route: '/ü' }]);
    list.release();
    expect(list.count).toBe(0);
    expect(list.json()).toBe('[]');
  });

  it('grows past its first buffer, and a reused buffer shows nothing of its last list', () => {
    const first = new JsonList();
    const long = Array.from({ length: 3000 }, (_, i) => `${'k'.repeat(40)}-${i}`);
    for (const id of long) first.pushString(id);
    expect(JSON.parse(first.json())).toEqual(long);
    first.release();
    const second = new JsonList();
    const ids = [randomUUID(), randomUUID()];
    for (const id of ids) second.pushString(id);
    expect(JSON.parse(second.json())).toEqual(ids);
    second.release();
  });

  it('writes the same line bytes as serializing the arrays in the record', () => {
    const ids = [randomUUID(), 'x"y'];
    const contexts = [{ request_id: ids[1], route: '/b' }];
    const head = { code: 'INTERNAL', status: 500, fingerprint: 'f', first_request_id: 'a', repeats: 2, route: '/a' };
    const list = new JsonList();
    for (const id of ids) list.pushString(id);
    const ctx = new JsonList();
    ctx.pushJson(JSON.stringify(contexts[0]));
    const tail = `"request_ids":${list.json()},"contexts":${ctx.json()}`;
    const noTime = (line: string) => line.replace(/"time":\d+/, '"time":0');
    expect(noTime(formatLine('error', head, 'm', tail))).toBe(
      noTime(formatLine('error', { ...head, request_ids: ids, contexts }, 'm')),
    );
  });

  it('lists every id of a storm in the file, odd ids and differing contexts included', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-repeat-lines-')), 'r.log');
    const reporter = createReporter({ destination: file, flushOnExit: false, dedupWindowMs: 60_000 });
    const faults = repeats(1500, (i) => (i % 100 === 7 ? `odd "${i}"\n` : randomUUID()));
    faults.forEach((fault, i) => {
      reporter.report(fault, { protocol: 'http', method: 'GET', route: i % 500 === 3 ? '/other' : '/orders' });
    });
    await reporter.flush();
    const lines = linesOf(file);
    const listed = lines.flatMap((line) => (line.request_ids as string[] | undefined) ?? []);
    expect(lines[0]?.request_id).toBe(faults[0]?.id);
    expect(listed).toEqual(faults.slice(1).map((fault) => fault.id));
    // At most 1000 ids per line: 1499 repeats make two lines.
    expect(lines.filter((line) => line.request_ids !== undefined).map((line) => line.repeats)).toEqual([1000, 499]);
    const contexts = lines.flatMap((line) => (line.contexts as Record<string, unknown>[] | undefined) ?? []);
    expect(contexts).toEqual([3, 503, 1003].map((i) => ({ request_id: faults[i]?.id, route: '/other' })));
    expect(reporter.stats).toMatchObject({ reported: 1500, written: 1, compacted: 1499 });
  });

  it('keeps each repeat written at once to its own context (one reused item, nothing carried over)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-repeat-lines-')), 'r.log');
    const reporter = createReporter({ destination: file, flushOnExit: false, dedupWindowMs: 60_000 });
    const faults = repeats(7, () => randomUUID());
    reporter.report(faults[0] as never, { protocol: 'http', method: 'GET', route: '/orders' });
    await reporter.flush();
    const traced = { protocol: 'http', method: 'GET', route: '/orders', traceId: 'a'.repeat(32) } as const;
    const contexts = [
      { protocol: 'http', method: 'GET', route: '/orders' },
      traced,
      { protocol: 'http', method: 'GET', route: '/orders' },
      { protocol: 'http', method: 'POST', route: '/other', attributes: { tenant: 't1' } },
      { protocol: 'http', method: 'GET', route: '/orders' },
      undefined,
    ] as const;
    // One repeat per loop iteration, with nothing queued: each is written as it is reported.
    for (const [i, ctx] of contexts.entries()) {
      reporter.report(faults[i + 1] as never, ctx as never);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await reporter.flush();
    await reporter.close();
    const compact = linesOf(file).find((line) => line.request_ids !== undefined);
    expect(compact?.request_ids).toEqual(faults.slice(1).map((fault) => fault.id));
    expect(compact?.contexts).toEqual([
      { request_id: faults[2]?.id, trace_id: 'a'.repeat(32) },
      { request_id: faults[4]?.id, method: 'POST', route: '/other', attributes: { tenant: 't1' } },
    ]);
    expect(reporter.stats).toMatchObject({ reported: 7, written: 1, compacted: 6 });
  });

  it('redacts a secret the client sent as its request id, in the full record and in the compact line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-repeat-lines-')), 'r.log');
    const reporter = createReporter({ destination: file, flushOnExit: false, dedupWindowMs: 60_000 });
    // As an adapter captures it: its own id, trusted, and the refused value, escaped.
    const refused = (i: number) => `Bearer ghp_16C7e42F292c6912E7710c838347Ae178B4${i}`;
    const faults = Array.from({ length: 3 }, (_, i) =>
      capture(new Error('upstream refused the call'), {
        requestId: randomUUID(),
        requestIdTrusted: true,
        rejectedRequestId: refused(i),
      }),
    );
    for (const fault of faults) reporter.report(fault, { protocol: 'http', method: 'GET', route: '/orders' });
    await reporter.close();
    const lines = linesOf(file);
    expect(lines[0]?.rejected_request_id).toBe('Bearer [REDACTED]');
    const compact = lines.find((line) => line.request_ids !== undefined);
    expect(compact?.contexts).toEqual(
      faults.slice(1).map((fault) => ({ request_id: fault.id, rejected_request_id: 'Bearer [REDACTED]' })),
    );
    expect(readFileSync(file, 'utf8')).not.toContain('16C7e42F292c');
  });

  it('writes a context after its id as JSON.stringify writes the object', () => {
    const list = new JsonList();
    const attributes = { connection_id: 'c-\u00e9 "q" \u{1f600}', n: 1 };
    const ids = [randomUUID(), 'x"y\nz', 'ABCDEF00-0000-4000-8000-000000000000', 'caf\u00e9', randomUUID()];
    for (const id of ids) list.pushWithId(id, Buffer.from(`,"attributes":${JSON.stringify(attributes)}`));
    expect(list.count).toBe(5);
    expect(list.json()).toBe(JSON.stringify(ids.map((id) => ({ request_id: id, attributes }))));
    list.release();
  });

  it('writes contexts past its first buffer, whatever the characters of their members', () => {
    const list = new JsonList();
    const members = [
      { connection_id: 'ascii only', n: 2 },
      { connection_id: `${'x'.repeat(90)}\u00e9 "q"`, route: '/caf\u00e9' },
      { connection_id: '\u{1f600}'.repeat(40), tail: 'plain after' },
    ];
    const ids = Array.from({ length: 1200 }, () => randomUUID());
    ids.forEach((id, i) => {
      list.pushWithId(id, Buffer.from(`,"attributes":${JSON.stringify(members[i % 3])}`));
    });
    expect(list.count).toBe(1200);
    expect(list.json()).toBe(JSON.stringify(ids.map((id, i) => ({ request_id: id, attributes: members[i % 3] }))));
    list.release();
  });

  it('copies an id from the list that took it last, only when that list copied this very id as a UUID', () => {
    const ids = new JsonList();
    const contexts = new JsonList();
    const member = Buffer.from(',"attributes":{"c":1}');
    const values = [randomUUID(), 'x"y', randomUUID(), 'ABCDEF00-0000-4000-8000-000000000000', randomUUID()];
    for (const id of values) {
      ids.pushString(id);
      contexts.pushWithId(id, member, ids);
    }
    // The last id the first list copied is not the id pushed here: it is checked and copied from its own string.
    const other = randomUUID();
    contexts.pushWithId(other, member, ids);
    const expected = [...values, other].map((id) => ({ request_id: id, attributes: { c: 1 } }));
    expect(contexts.json()).toBe(JSON.stringify(expected));
    expect(ids.json()).toBe(JSON.stringify(values));
    // After a release the first list remembers nothing.
    const last = values[4] as string;
    ids.release();
    contexts.pushWithId(last, member, ids);
    expect(JSON.parse(contexts.json()).at(-1)).toEqual({ request_id: last, attributes: { c: 1 } });
    contexts.release();
  });

  it('writes the right attributes for repeats cycling through more connections than it remembers encoded', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-repeat-lines-')), 'r.log');
    const reporter = createReporter({ destination: file, flushOnExit: false, dedupWindowMs: 60_000 });
    const connections = Array.from({ length: 40 }, (_, i) => Object.freeze({ connection_id: `c${i}`, n: i }));
    // Three rounds in two orders: each connection's bytes are found again, evicted, then made again.
    const order = [...connections, ...connections, ...[...connections].reverse()];
    const faults = repeats(order.length + 1, () => randomUUID());
    faults.forEach((fault, i) => {
      reporter.report(fault, { protocol: 'ws', attributes: (i === 0 ? connections[0] : order[i - 1]) ?? {} });
    });
    await reporter.flush();
    const lines = linesOf(file);
    const contexts = lines.flatMap((line) => (line.contexts as Record<string, unknown>[] | undefined) ?? []);
    expect(contexts).toEqual(
      faults.slice(1).map((fault, i) => ({ request_id: fault.id, attributes: { ...order[i] } })),
    );
  });

  it("writes each repeat's connection attributes, redacted, as the record's own context", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'faultline-repeat-lines-')), 'r.log');
    const reporter = createReporter({ destination: file, flushOnExit: false, dedupWindowMs: 60_000 });
    const faults = repeats(9, (i) => (i === 4 ? 'odd "4"' : randomUUID()));
    const connections: Readonly<Record<string, string>>[] = [
      Object.freeze({ connection_id: randomUUID() }),
      Object.freeze({ connection_id: randomUUID(), owner: 'ann@example.com' }),
      { connection_id: 'not frozen' },
    ];
    faults.forEach((fault, i) => {
      reporter.report(fault, { protocol: 'ws', attributes: connections[i % 3] ?? {} });
    });
    await reporter.flush();
    const raw = readFileSync(file, 'utf8');
    const redacted = (i: number) =>
      i % 3 === 1 ? { ...connections[1], owner: '[REDACTED:email]' } : { ...connections[i % 3] };
    const contexts = faults.slice(1).map((fault, i) => ({ request_id: fault.id, attributes: redacted(i + 1) }));
    expect(raw).toContain(`"contexts":${JSON.stringify(contexts)}`);
  });

  it('hands a logger passed in real arrays', async () => {
    const { logger, records } = memoryLog();
    const reporter = createReporter({ logger, flushOnExit: false, dedupWindowMs: 60_000 });
    const faults = repeats(4, () => randomUUID());
    faults.forEach((fault, i) => {
      reporter.report(fault, { protocol: 'http', route: i === 2 ? '/b' : '/a' });
    });
    await reporter.flush();
    const compact = records.find((record) => record.request_ids !== undefined);
    expect(compact?.request_ids).toEqual(faults.slice(1).map((fault) => fault.id));
    expect(compact?.contexts).toEqual([{ request_id: faults[2]?.id, route: '/b' }]);
  });
});

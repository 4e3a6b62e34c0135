import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capture, createReporter, recordFault } from './support/source.js';

const SECRET = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';

/** The file's records. */
function recordsOf(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Reports one fault (`count` times, so repeats too) with `method` and `route` and returns the file's text and records. */
async function logged(method: string, route: string, count = 1) {
  const file = join(mkdtempSync(join(tmpdir(), 'fl-ctx-cut-')), 'log.ndjson');
  const reporter = createReporter({ destination: file, flushOnExit: false });
  for (let i = 0; i < count; i += 1) {
    recordFault(capture(new Error('upstream refused the call')), { protocol: 'http', reporter, method, route });
  }
  await reporter.close();
  return { text: readFileSync(file, 'utf8'), records: recordsOf(file) };
}

describe('the request context is cut only after it was redacted', () => {
  // A secret that straddles the length bound of a route (512) or a method (256): cut first, its
  // head (`sk_live_4eC3`) no longer has the shape its pattern needs and was written as it is.
  for (const at of [500, 505, 510]) {
    it(`a route whose secret straddles the 512-character bound (at ${at}) writes none of it`, async () => {
      const route = `/${'r'.repeat(at - 2)}/${SECRET}/tail`;
      const { text, records } = await logged('GET', route);
      expect(text).not.toContain('sk_live_4eC');
      const written = records[0]?.route as string;
      expect(written.startsWith('/rrr')).toBe(true);
      expect(written).toMatch(/\.\.\.\[truncated \d+ chars\]$/);
    });
  }

  it('a method whose secret straddles the 256-character bound writes none of it', async () => {
    const method = `/${'pkg.'.repeat(60)}Svc/${SECRET}`;
    expect(method.indexOf(SECRET)).toBe(245);
    const { text } = await logged(method, '/r');
    expect(text).not.toContain('sk_live_4eC');
  });

  it('repeats keep the cut route in their compact line, redacted', async () => {
    const route = `/${'r'.repeat(497)}/${SECRET}`;
    const { text, records } = await logged('GET', route, 3);
    expect(text).not.toContain('sk_live_4eC');
    expect(records.some((r) => r.repeats === 2)).toBe(true);
  });

  it('a short route and method are written whole, redacted', async () => {
    const { records } = await logged('POST', `/keys/${SECRET}`);
    expect(records[0]?.method).toBe('POST');
    expect(records[0]?.route).not.toContain('4eC39');
    expect(records[0]?.route).toMatch(/^\/keys\//);
  });
});

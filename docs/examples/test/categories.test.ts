/** docs/categories.md is the taxonomy: every row equals `TAXONOMY`, in order, and no category is missing. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CATEGORIES, GrpcStatus, TAXONOMY } from '@faultline/core';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from './run.js';

const GRPC_NAMES = new Map(Object.entries(GrpcStatus).map(([name, code]) => [code as number, name]));

function tableRows(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim().replaceAll('`', '')),
    );
}

describe('docs/categories.md', () => {
  it('lists every category of TAXONOMY with its code, statuses, retryability and message', () => {
    const rows = tableRows(readFileSync(join(EXAMPLES, '..', 'categories.md'), 'utf8'));
    const expected = CATEGORIES.map((category) => {
      const spec = TAXONOMY[category];
      return [
        category,
        spec.code,
        String(spec.http),
        String(GRPC_NAMES.get(spec.grpc)),
        String(spec.wsClose),
        spec.retryable ? 'yes' : 'no',
        spec.message,
      ];
    });
    expect(rows).toEqual(expected);
  });
});

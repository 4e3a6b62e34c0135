import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from './run.js';

/** Runs extract.mjs of a copy rooted at `root` (its examples/ folder), returning exit code and stderr. */
function checkAt(root: string): { code: number; stderr: string } {
  try {
    execFileSync(process.execPath, ['extract.mjs', '--check'], { cwd: join(root, 'docs', 'examples'), stdio: 'pipe' });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failed = error as { status: number; stderr: Buffer };
    return { code: failed.status, stderr: String(failed.stderr) };
  }
}

/** A throwaway repository with one README and the extraction script. */
function fixture(readme: string, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'examples-'));
  mkdirSync(join(root, 'docs', 'examples', 'src'), { recursive: true });
  copyFileSync(join(EXAMPLES, 'extract.mjs'), join(root, 'docs', 'examples', 'extract.mjs'));
  writeFileSync(join(root, 'README.md'), readme);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'docs', 'examples', name), text);
  return root;
}

const README = '# x\n\n<!-- example: src/a.ts -->\n```ts\nexport const a = 1;\n```\n';

describe('the examples are the markdown', () => {
  it('this repository: every marked block equals its file, every file has a block, every ts block is marked', () => {
    const out = execFileSync(process.execPath, ['extract.mjs', '--check'], { cwd: EXAMPLES, encoding: 'utf8' });
    expect(out).toMatch(/in sync with the markdown/);
  });

  it('passes when the file is the block', () => {
    expect(checkAt(fixture(README, { 'src/a.ts': 'export const a = 1;\n' })).code).toBe(0);
  });

  it('fails when a file drifts from its block', () => {
    const result = checkAt(fixture(README, { 'src/a.ts': 'export const a = 2;\n' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/examples\/src\/a\.ts differs from the markdown/);
  });

  it('fails on a file no markdown shows, and on a ts block without a marker', () => {
    const readme = `${README}\n\`\`\`ts\nconst b = 2;\n\`\`\`\n`;
    const result = checkAt(fixture(readme, { 'src/a.ts': 'export const a = 1;\n', 'src/old.ts': 'export {};\n' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/examples\/src\/old\.ts has no block/);
    expect(result.stderr).toMatch(/README\.md:8: a ts block without/);
  });
});

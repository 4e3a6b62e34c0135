/**
 * A Fastify service whose logger writes to a full disk (/dev/full): it keeps answering errors
 * safely and ends promptly on SIGTERM (the reporter never flushes synchronously into a sink that
 * failed; sonic-boom would retry forever).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('a full disk under the server logger', () => {
  it('answers the error, then exits on SIGTERM within 2 s', async () => {
    const script = fileURLToPath(new URL('./fixtures/full-disk-server.mjs', import.meta.url));
    const proc = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'ignore'] });
    const port = await new Promise<number>((resolve) =>
      proc.stdout.once('data', (chunk: Buffer) => resolve(Number(String(chunk).trim()))),
    );
    const response = await fetch(`http://127.0.0.1:${port}/fail`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('hunter2');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    proc.kill('SIGTERM');
    const ended = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!ended) proc.kill('SIGKILL');
    expect(ended).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  }, 15_000);
});

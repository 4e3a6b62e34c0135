/** Interop with a non-Node client: Debian's python3-websockets. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isUuid } from '@faultline/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWsServer } from './fixtures.js';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./python/ws_client.py', import.meta.url));

type Started = Awaited<ReturnType<typeof startWsServer>>;
let server: Started;
beforeAll(async () => {
  server = await startWsServer();
});
afterAll(async () => {
  await server.stop();
});

it('python websockets sees error frames, close codes with "<CODE> <id>" and a problem JSON refusal', async () => {
  const { stdout } = await run('/usr/bin/python3', [script, String(server.port)], { timeout: 30_000 });
  const result = JSON.parse(stdout.trim()) as Record<string, unknown>;
  expect(result.frame).toMatchObject({ error: { status: 400, code: 'VALIDATION_FAILED' } });
  expect(result.echo).toBe('echo:hello');
  expect(result.close_code).toBe(1013);
  const [code, id] = String(result.close_reason).split(' ');
  expect(code).toBe('UNAVAILABLE');
  expect(isUuid(id)).toBe(true);
  expect(result.rejected_status).toBe(401);
  expect(result.rejected_headers).toMatchObject({
    'content-type': 'application/problem+json; charset=utf-8',
    'www-authenticate': 'Bearer realm="ws"',
    'cache-control': 'no-store',
  });
  expect(JSON.stringify(result)).not.toContain('hunter2');
}, 40_000);

/**
 * `startNginx` reports a gateway running only when its nginx is: a port already taken by another
 * process (which accepts connections, so "the listener accepts" proved nothing) makes it throw once
 * nginx gives up binding, and no nginx is left behind. A free port still starts (the pid file
 * names the master).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@faultline/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startNginx } from '../src/index.js';

const dirs: string[] = [];
const servers: Server[] = [];

afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dir(): string {
  const made = mkdtempSync(join(tmpdir(), 'faultline-edge-run-'));
  dirs.push(made);
  return made;
}

describe('startNginx', () => {
  it('throws when another process holds the port, and leaves no nginx running', async () => {
    const port = await freePort();
    const squatter = createServer((socket) => socket.end());
    servers.push(squatter);
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    const options = { upstreams: ['127.0.0.1:9'], listen: `127.0.0.1:${port}` };
    await expect(startNginx(dir(), options)).rejects.toThrow(/nginx exited \(1\) before it listened/);
  }, 15_000);

  it('starts on a free port, and stops', async () => {
    const port = await freePort();
    const nginx = await startNginx(dir(), { upstreams: ['127.0.0.1:9'], listen: `127.0.0.1:${port}` });
    expect(nginx.child.exitCode).toBeNull();
    await nginx.stop();
    expect(nginx.child.exitCode ?? nginx.child.signalCode).not.toBeNull();
  });
});

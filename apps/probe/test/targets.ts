/** Targets for the probe tests: leaky stock servers, the Faultline demo, nginx's default page. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@faultline/testkit';
import {
  loadPackageDefinition,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import Fastify, { type FastifyInstance } from 'fastify';

/** Stock Fastify 5, no Faultline: routes that throw pg-like and fs errors. */
export async function stockFastify(): Promise<{ url: string; app: FastifyInstance }> {
  const app = Fastify({ logger: false });
  app.post('/users', async () => {
    throw Object.assign(new Error('duplicate key value violates unique constraint "users_email_key"'), {
      code: '23505',
    });
  });
  app.get('/config', async () => {
    throw Object.assign(new Error("ENOENT: no such file or directory, open '/srv/app/config/secrets.json'"), {
      code: 'ENOENT',
    });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, app };
}

const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };

/** A plain grpc-js server passing raw errors to `callback`. */
export async function plainGrpc(): Promise<{ port: number; server: Server }> {
  const server = new Server();
  server.addService(
    {
      create: {
        path: '/shop.Orders/Create',
        requestStream: false,
        responseStream: false,
        requestSerialize: raw.serialize,
        requestDeserialize: raw.deserialize,
        responseSerialize: raw.serialize,
        responseDeserialize: raw.deserialize,
      },
    },
    {
      create: (_call: unknown, callback: (e: Error) => void) =>
        callback(
          new Error(
            'insert into orders failed: duplicate key value violates unique constraint "orders_ref_key" at 10.2.3.4',
          ),
        ),
    } as unknown as UntypedServiceImplementation,
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port, server };
}

/**
 * Resolves with the first line `child` writes on stdout; rejects when it exits first or writes no
 * line within `timeoutMs`.
 */
function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (error: Error | undefined, line?: string) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error === undefined) resolve(line as string);
      else reject(error);
    };
    const onData = (chunk: Buffer) => {
      text += String(chunk);
      const end = text.indexOf('\n');
      if (end !== -1) done(undefined, text.slice(0, end));
    };
    const onExit = (code: number | null) => done(new Error(`the child exited (${code}) before writing a line`));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(new Error(`the child wrote no line within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** A plain ws server (child process) that dies on the first malformed message; its port is the first line it writes. */
export async function crashingWs(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/crashing-ws.mjs', import.meta.url))], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const port = Number(await firstLine(child, 15_000));
  return { port, child };
}

/**
 * Debian's nginx in the foreground on a free port with its stock error pages (no server_tokens
 * change). Resolves once it answers (within 15 s, else it is stopped and this throws); `stop`
 * resolves once it has exited.
 */
export async function stockNginx(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'faultline-probe-nginx-'));
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents { worker_connections 64; }\nhttp {\n  access_log off;\n  client_body_temp_path ${dir};\n  proxy_temp_path ${dir};\n  fastcgi_temp_path ${dir};\n  uwsgi_temp_path ${dir};\n  scgi_temp_path ${dir};\n  server { listen 127.0.0.1:${port}; location / { return 404; } }\n}\n`,
  );
  const child = spawn('nginx', ['-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  const until = Date.now() + 15_000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).then(
      () => true,
      () => false,
    );
    if (up) return { port, stop };
    if (Date.now() > until || child.exitCode !== null) {
      await stop();
      throw new Error(`nginx did not answer on 127.0.0.1:${port} within 15 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A grpc-js server for `shop.proto`, passing raw errors to `callback`, with server reflection on or off. */
export async function protoGrpc(reflection: boolean): Promise<{ port: number; server: Server; proto: string }> {
  const proto = fileURLToPath(new URL('./fixtures/shop.proto', import.meta.url));
  const definition = loadSync(proto, { keepCase: true });
  const loaded = loadPackageDefinition(definition) as unknown as { shop: { Orders: { service: ServiceDefinition } } };
  const server = new Server();
  server.addService(loaded.shop.Orders.service, {
    Create: (_call: unknown, callback: (e: Error) => void) =>
      callback(
        new Error('SequelizeUniqueConstraintError: duplicate key value violates unique constraint "orders_ref_key"'),
      ),
  } as unknown as UntypedServiceImplementation);
  if (reflection) new ReflectionService(definition).addToServer(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port, server, proto };
}

/**
 * What a user installs from the registry works: every public package is packed, the tarballs are
 * installed into an empty project (no workspace links) next to fastify, express, ws and
 * @grpc/grpc-js from the registry, then each entry is imported with ESM and with `require`, a
 * strict consumer is type-checked with TypeScript 5.9 and with the repository's TypeScript 7
 * (`skipLibCheck: false`), one real request goes through each adapter, and the package shapes pass
 * publint, @arethetypeswrong/cli and `npm publish --dry-run`.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const PUBLIC = ['taxonomy', 'core', 'fastify', 'grpc', 'ws', 'express', 'client', 'openapi', 'edge'] as const;
const ENTRY_EXPORT: Readonly<Record<(typeof PUBLIC)[number], string>> = {
  taxonomy: 'isCategory',
  core: 'capture',
  fastify: 'faultline',
  grpc: 'addFaultlineService',
  ws: 'createWsAdapter',
  express: 'faultline',
  client: 'decodeFault',
  openapi: 'openApiDocument',
  edge: 'renderNginx',
};
/**
 * The static checks (TypeScript's type-check, publint, attw, `npm publish --dry-run`) read files and
 * do not depend on the Node line that runs them: CI runs them on its default line and sets
 * `FAULTLINE_STATIC_CHECKS=0` for the other lines, which still load every entry and answer requests.
 */
const STATIC_CHECKS = process.env.FAULTLINE_STATIC_CHECKS !== '0';
let project = '';

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'faultline-consumer-'));
  const dependencies: Record<string, string> = {
    fastify: '^5.0.0',
    express: '^5.0.0',
    ws: '^8.0.0',
    '@grpc/grpc-js': '^1.14.7',
    '@types/ws': '^8.5.0',
    '@types/node': '^20.19.0',
    typescript5: 'npm:typescript@~5.9.0',
  };
  for (const name of PUBLIC) {
    const { stdout } = await run('npm', ['pack', '--pack-destination', project, '--silent'], {
      cwd: join(root, 'packages', name),
    });
    dependencies[`@faultline/${name}`] = `file:./${stdout.trim().split('\n').at(-1)}`;
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies }, null, 2),
  );
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, timeout: 280_000 });
  copyFileSync(join(fixtures, 'consumer.ts'), join(project, 'consumer.ts'));
  copyFileSync(join(fixtures, 'run.mjs'), join(project, 'run.mjs'));
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        types: ['node'],
      },
      files: ['consumer.ts'],
    }),
  );
});

describe('installed from packed tarballs', () => {
  it.each(PUBLIC)('@faultline/%s loads with import and with require', async (name) => {
    const symbol = ENTRY_EXPORT[name];
    const esm = `import('@faultline/${name}').then((m) => { if (typeof m.${symbol} !== 'function') process.exit(3); })`;
    await run(process.execPath, ['--input-type=module', '-e', esm], { cwd: project });
    const cjs = `const m = require('@faultline/${name}'); if (typeof m.${symbol} !== 'function') process.exit(3);`;
    await run(process.execPath, ['-e', cjs], { cwd: project });
  });

  // The subpath entries: adapters' door, the gRPC codec, the taxonomy under core's name, the gRPC decoder.
  it.each([
    ['@faultline/core/adapter', 'httpAnswer'],
    ['@faultline/core/grpc', 'decodeStatusDetails'],
    ['@faultline/core/taxonomy', 'isCategory'],
    ['@faultline/client/grpc', 'decodeGrpcFault'],
  ])('%s loads with import and with require', async (entry, symbol) => {
    const esm = `import('${entry}').then((m) => { if (typeof m.${symbol} !== 'function') process.exit(3); })`;
    await run(process.execPath, ['--input-type=module', '-e', esm], { cwd: project });
    const cjs = `const m = require('${entry}'); if (typeof m.${symbol} !== 'function') process.exit(3);`;
    await run(process.execPath, ['-e', cjs], { cwd: project });
  });

  it.runIf(STATIC_CHECKS)('type-checks a strict consumer with TypeScript 5.9 and 7 (skipLibCheck false)', async () => {
    await run(process.execPath, [join(project, 'node_modules/typescript5/bin/tsc'), '-p', project], { cwd: project });
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', project], { cwd: project });
  });

  it('answers one real request through each adapter', async () => {
    const { stdout } = await run(process.execPath, ['run.mjs'], { cwd: project, timeout: 60_000 });
    const results = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(results.fastify.status).toBe(500);
    expect(results.fastify.type).toBe('application/problem+json; charset=utf-8');
    expect(results.fastify.body).not.toContain('hunter2');
    expect(results.express.status).toBe(404);
    expect(JSON.parse(results.express.body).code).toBe('RUN_ORDER_GONE');
    expect(results.grpc.code).toBe(13);
    expect(results.grpc.details).toBe('An internal error occurred.');
    expect(results.grpc.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(results.ws.error.code).toBe('RUN_ORDER_GONE');
    expect(results.client).toMatchObject({ code: 'RUN_ORDER_GONE', category: 'not_found', conforming: true });
    expect(results.grpc.decoded).toMatchObject({ code: 'INTERNAL', category: 'internal', conforming: true });
  });
});

describe('the calling side alone', () => {
  // #21: `npm i @faultline/client` brings no logger, rotation, OpenTelemetry or protobuf: at most
  // 3 packages and 300 KB installed.
  it('@faultline/client installs at most 3 packages and 300 KB', async () => {
    const alone = mkdtempSync(join(tmpdir(), 'faultline-client-alone-'));
    const tarballs: Record<string, string> = {};
    for (const name of ['taxonomy', 'client']) {
      const { stdout } = await run('npm', ['pack', '--pack-destination', alone, '--silent'], {
        cwd: join(root, 'packages', name),
      });
      tarballs[`@faultline/${name}`] = `file:./${stdout.trim().split('\n').at(-1)}`;
    }
    writeFileSync(
      join(alone, 'package.json'),
      JSON.stringify({
        name: 'client-alone',
        private: true,
        type: 'module',
        dependencies: { '@faultline/client': tarballs['@faultline/client'] },
        // Not on a registry yet: the packed taxonomy stands in for the published one.
        overrides: { '@faultline/taxonomy': tarballs['@faultline/taxonomy'] },
      }),
    );
    await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: alone, timeout: 120_000 });
    const lock = JSON.parse(readFileSync(join(alone, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, unknown>;
    };
    const installed = Object.keys(lock.packages).filter((path) => path.startsWith('node_modules/'));
    expect(installed.sort()).toEqual(['node_modules/@faultline/client', 'node_modules/@faultline/taxonomy']);
    const { stdout } = await run('du', ['-sk', '--apparent-size', join(alone, 'node_modules')]);
    expect(Number.parseInt(stdout, 10)).toBeLessThanOrEqual(300);
    const esm =
      "import('@faultline/client').then((m) => { if (typeof m.decodeFault !== 'function') process.exit(3); })";
    await run(process.execPath, ['--input-type=module', '-e', esm], { cwd: alone });
  });
});

// Each package's checks are child processes of their own (no shared state): three packages at once.
describe.runIf(STATIC_CHECKS)('package shapes', { concurrent: true }, () => {
  it.each(PUBLIC)('@faultline/%s passes publint and attw, and packs for publishing', async (name) => {
    const dir = join(root, 'packages', name);
    const bin = join(root, 'node_modules/.bin');
    const publint = await run(join(bin, 'publint'), [dir], { cwd: root });
    expect(publint.stdout).toContain('All good!');
    // CJS resolving to ESM is not a problem on the supported Node (>= 20.19 requires ESM): proven above.
    // Profile node16: subpath exports (`/taxonomy`, `/grpc`) cannot resolve under legacy node10 at all.
    await run(
      join(bin, 'attw'),
      ['--pack', dir, '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'],
      {
        cwd: root,
      },
    );
    const { stdout } = await run('npm', ['publish', '--dry-run', '--json'], { cwd: dir });
    // npm 11 keys the dry-run report by package name.
    const report = JSON.parse(stdout) as Record<string, { files: { path: string }[] }>;
    const files = (report[`@faultline/${name}`]?.files ?? []).map((f) => f.path);
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files.some((f) => f.startsWith('test/'))).toBe(false);
    expect(readdirSync(dir)).toContain('package.json');
  });
});

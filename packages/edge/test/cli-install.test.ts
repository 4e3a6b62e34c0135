/**
 * The CLI where users run it: installed as a dependency from a checkout that has not been built,
 * npm links `faultline-edge` (the bin is committed outside dist/), which says what is missing; once
 * dist/ is there, `npx @faultline/edge` runs it. Real npm, offline, in a temp project.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const CORE = join(PACKAGE, '..', 'core');
const NPM = join(dirname(process.execPath), 'npm');
const npm = existsSync(NPM) ? NPM : 'npm';

describe('faultline-edge as users run it', () => {
  it('package.json names an executable bin outside dist/, not ignored by git outside dist/, shipped in the package', () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      files: string[];
    };
    expect(manifest.bin).toEqual({ 'faultline-edge': './bin/faultline-edge.js' });
    expect(manifest.files).toContain('bin');
    expect(statSync(join(PACKAGE, 'bin', 'faultline-edge.js')).mode & 0o111).toBe(0o111);
    // Not ignored, so a checkout has it (git check-ignore exits 1 for a path it would not ignore).
    expect(spawnSync('git', ['check-ignore', '-q', 'bin/faultline-edge.js'], { cwd: PACKAGE }).status).toBe(1);
  });

  it('installed before the build, the bin is linked and says what is missing; built, npx @faultline/edge runs', () => {
    const root = mkdtempSync(join(tmpdir(), 'faultline-edge-install-'));
    // The package as a fresh checkout has it: no dist/. (Its dependencies come from this repository below.)
    const edge = join(root, 'edge');
    mkdirSync(edge);
    cpSync(join(PACKAGE, 'bin'), join(edge, 'bin'), { recursive: true });
    const {
      dependencies: _d,
      devDependencies: _dd,
      scripts: _s,
      ...manifest
    } = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8'));
    writeFileSync(join(edge, 'package.json'), JSON.stringify(manifest));
    const app = join(root, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'app', private: true, dependencies: { '@faultline/edge': 'file:../edge' } }),
    );
    execFileSync(npm, ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: app,
      stdio: 'pipe',
      timeout: 60_000,
    });
    const bin = join(app, 'node_modules', '.bin', 'faultline-edge');
    const unbuilt = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    expect(unbuilt.stderr).toMatch(/dist\/cli\.js is missing: build the package first/);
    expect(unbuilt.status).toBe(1);

    cpSync(join(PACKAGE, 'dist'), join(edge, 'dist'), { recursive: true });
    mkdirSync(join(root, 'node_modules', '@faultline'), { recursive: true });
    symlinkSync(CORE, join(root, 'node_modules', '@faultline', 'core'));
    const out = join(root, 'out');
    const npx = spawnSync(
      npm,
      ['exec', '--offline', '--', '@faultline/edge', 'haproxy', '--upstream', '127.0.0.1:3000', '--out', out],
      { cwd: app, encoding: 'utf8', timeout: 60_000 },
    );
    expect(npx.stdout).toMatch(/wrote haproxy\.cfg/);
    expect(npx.status).toBe(0);
    expect(readFileSync(join(out, 'haproxy.cfg'), 'utf8')).toContain('frontend faultline');
    const help = spawnSync(bin, ['--help'], { encoding: 'utf8' });
    expect(help.stdout).toMatch(/^usage: npx @faultline\/edge /);
  }, 90_000);
});

#!/usr/bin/env node
/**
 * `faultline-edge nginx|haproxy --upstream host:port --out <dir> [options]`: writes the gateway
 * configuration generated from the taxonomy. Exit code 2 for usage errors, 1 when writing failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BodyFormat } from '@faultline/core';
import { renderHaproxy } from './haproxy/render.js';
import { renderNginx } from './nginx/render.js';

const USAGE = `usage: faultline-edge <nginx|haproxy> --upstream <host:port> [--upstream …] --out <dir>
  --listen <host:port>        public listener (default 127.0.0.1:8443)
  --cert <file> --key <file>  TLS 1.3 only, HTTP/2 over ALPN (omit both for plain HTTP/1.1);
                              haproxy: --cert alone, one PEM with the certificate and its key
  --route </prefix/>          path prefix sent to the backends (repeatable; default /); others get 404
  --max-body <size>           largest request body: bytes, or k/m/g (default 1m)
  --connect-timeout <s>       backend connect timeout, seconds (default 5)
  --read-timeout <s>          backend answer timeout, seconds (default 30)
  --access-log <file>         nginx: JSON access log (default /var/log/nginx/faultline-access.log);
                              haproxy logs its JSON lines to stdout
  --directory <dir>           nginx: where the files will be installed (default: --out)
  --format <problem|envelope> the application's error format (default problem)`;

function main(argv: readonly string[]): number {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        upstream: { type: 'string', multiple: true },
        out: { type: 'string' },
        listen: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        route: { type: 'string', multiple: true },
        'max-body': { type: 'string' },
        'connect-timeout': { type: 'string' },
        'read-timeout': { type: 'string' },
        'access-log': { type: 'string' },
        directory: { type: 'string' },
        format: { type: 'string' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`faultline-edge: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const gateway = positionals[0];
  if (positionals.length !== 1 || (gateway !== 'nginx' && gateway !== 'haproxy') || typeof values.out !== 'string') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (gateway === 'haproxy') return writeHaproxy(values, resolve(values.out));
  if ((values.cert === undefined) !== (values.key === undefined)) {
    process.stderr.write('faultline-edge: --cert and --key go together\n');
    return 2;
  }
  const out = resolve(values.out);
  let files: Readonly<Record<string, string>>;
  try {
    files = renderNginx({
      upstreams: (values.upstream as string[] | undefined) ?? [],
      directory: values.directory === undefined ? out : resolve(String(values.directory)),
      ...(values.listen === undefined ? {} : { listen: String(values.listen) }),
      ...(values.cert === undefined
        ? {}
        : { tls: { certificate: resolve(String(values.cert)), key: resolve(String(values.key)) } }),
      ...(values.route === undefined ? {} : { routes: values.route as string[] }),
      ...(values['max-body'] === undefined ? {} : { maxBodySize: String(values['max-body']) }),
      ...(values['connect-timeout'] === undefined ? {} : { connectTimeout: Number(values['connect-timeout']) }),
      ...(values['read-timeout'] === undefined ? {} : { readTimeout: Number(values['read-timeout']) }),
      ...(values['access-log'] === undefined ? {} : { accessLog: resolve(String(values['access-log'])) }),
      ...(values.format === undefined ? {} : { format: values.format as BodyFormat }),
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  try {
    mkdirSync(join(out, 'tmp'), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(out, name), text);
  } catch (error) {
    process.stderr.write(`faultline-edge: cannot write ${out}: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`faultline-edge: wrote ${Object.keys(files).join(', ')} to ${out}\n`);
  return 0;
}

/** Bytes of an nginx-style size (`64k`, `1m`, `1048576`), or NaN. */
function bytesOf(size: string): number {
  const match = /^(\d{1,9})([kKmMgG]?)$/.exec(size);
  if (match === null) return Number.NaN;
  const unit = (match[2] ?? '').toLowerCase();
  return Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1);
}

function writeHaproxy(values: Record<string, unknown>, out: string): number {
  if (values.key !== undefined) {
    process.stderr.write('faultline-edge: haproxy takes one PEM (certificate and key) in --cert, no --key\n');
    return 2;
  }
  let text: string;
  try {
    text = renderHaproxy({
      upstreams: (values.upstream as string[] | undefined) ?? [],
      ...(values.listen === undefined ? {} : { listen: String(values.listen) }),
      ...(values.cert === undefined ? {} : { tls: { certificate: resolve(String(values.cert)) } }),
      ...(values.route === undefined ? {} : { routes: values.route as string[] }),
      ...(values['max-body'] === undefined ? {} : { maxBodyBytes: bytesOf(String(values['max-body'])) }),
      ...(values['connect-timeout'] === undefined ? {} : { connectTimeout: Number(values['connect-timeout']) }),
      ...(values['read-timeout'] === undefined ? {} : { readTimeout: Number(values['read-timeout']) }),
      ...(values.format === undefined ? {} : { format: values.format as BodyFormat }),
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 2;
  }
  try {
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'haproxy.cfg'), text);
  } catch (error) {
    process.stderr.write(`faultline-edge: cannot write ${out}: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`faultline-edge: wrote haproxy.cfg to ${out}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));

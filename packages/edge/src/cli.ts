#!/usr/bin/env node
/**
 * `faultline-edge nginx --upstream host:port --out <dir> [options]`: writes the gateway
 * configuration generated from the taxonomy. Exit code 2 for usage errors, 1 when writing failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BodyFormat } from '@faultline/core';
import { renderNginx } from './nginx/render.js';

const USAGE = `usage: faultline-edge nginx --upstream <host:port> [--upstream …] --out <dir>
  --listen <host:port>        public listener of the standalone nginx.conf (default 127.0.0.1:8443)
  --cert <file> --key <file>  TLS 1.3 only, HTTP/2 over ALPN (omit both for plain HTTP/1.1)
  --route </prefix/>          path prefix sent to the backends (repeatable; default /); others get 404
  --max-body <size>           largest request body, nginx size (default 1m)
  --connect-timeout <s>       backend connect timeout, seconds (default 5)
  --read-timeout <s>          backend answer timeout, seconds (default 30)
  --access-log <file>         JSON access log (default /var/log/nginx/faultline-access.log)
  --directory <dir>           where the files will be installed (default: --out)
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
  if (positionals.length !== 1 || positionals[0] !== 'nginx' || typeof values.out !== 'string') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
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

process.exitCode = main(process.argv.slice(2));

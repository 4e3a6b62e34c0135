#!/usr/bin/env node
/**
 * `faultline-edge nginx|haproxy --upstream host:port --out <dir> [options]` (run it with
 * `npx @faultline/edge`): writes the gateway configuration generated from the taxonomy. Exit code
 * 2 for usage errors (each names the value given), 1 when writing failed.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { makeDirectory } from '@faultline/core/adapter';
import {
  CLI_OPTIONS,
  type CliValues,
  checkGiven,
  type Gateway,
  gatewayOf,
  haproxyOptionsOf,
  nginxOptionsOf,
  UsageError,
} from './cli-args.js';
import { renderHaproxy } from './haproxy/render.js';
import { renderNginx } from './nginx/render.js';

const USAGE = `usage: npx @faultline/edge <nginx|haproxy> --upstream <host:port> [--upstream …] --out <dir> [options]
  --listen <host:port>          public listener, repeatable (default 127.0.0.1:8443)
  --internal-listen <host:port> internal plain HTTP/1.1 listener for service-to-service traffic, repeatable
  --redirect-listen <host:port> plain listener that only redirects to HTTPS (needs --cert), repeatable
  --cert <file> --key <file>    TLS 1.3 only, HTTP/2 over ALPN on the public listeners (omit for plain HTTP/1.1);
                                haproxy: --cert alone, one PEM with the certificate and its key
  --route </prefix/>            path prefix sent to the backends (repeatable; default /); others get 404
  --max-body <size>             largest request body: bytes, or k/m/g (default 1m)
  --connect-timeout <s>         backend connect timeout, seconds, 1-3600 (default 5)
  --read-timeout <s>            backend answer timeout, seconds, 1-3600 (default 30); past it 504
  --header-timeout <s>          time a client gets to send its request head, seconds, 1-3600 (default 10)
  --tunnel-timeout <s>          idle bound of a WebSocket tunnel, seconds, 1-86400 (default 3600);
                                nginx: also the wait for the handshake's answer
  --accept-id-versions <list>   UUID versions of an incoming X-Request-ID that are kept (default 4; e.g. 4,7)
  --trusted-gateway <ip|cidr>   a gateway in front of this one, repeatable: its X-Request-ID (any UUID
                                version) and X-Forwarded-Proto are kept (default: none)
  --format <problem|envelope|jsonapi|negotiate>
                                the application's error format (default problem); with negotiate, the
                                gateway's own pages use --default-format and all three formats pass through
  --default-format <problem|envelope|jsonapi>
                                the application's defaultFormat, with --format negotiate (default problem)
  --pass-foreign-4xx            pass a backend's 4xx that is not JSON (HTML, text) on as it came; by
                                default it is replaced by the gateway's page for the same status
  --grpc-upstream <host:port>   gRPC backend (cleartext HTTP/2), repeatable; with --grpc-service
  --grpc-service <pkg.Service>  fully-qualified gRPC service routed to them, repeatable; another gRPC
                                call is answered UNIMPLEMENTED (gRPC also passes the TLS listeners;
                                without --cert, --grpc-listen is required)
  --grpc-listen <host:port>     cleartext HTTP/2 listener for gRPC only, repeatable
  --grpc-domain <name>          ErrorInfo domain of the gateway's own gRPC statuses (default faultline)
 nginx only:
  --access-log <file>           JSON access log (default /var/log/nginx/faultline-access.log)
  --directory <dir>             where the files will be installed (default: --out)
  --header-buffers <n>x<size>   large_client_header_buffers (default 4x8k): longer request line 414, header 431
 haproxy only (its JSON log lines go to stdout):
  --buffer-size <size>          tune.bufsize (default 128k), at least --max-url + --max-headers + 1k;
                                larger requests get HAProxy's built-in 400
  --max-header-count <n>        tune.http.maxhdr (default 1000)
  --max-url <size>              longest URL, longer is answered 414 (default 8k)
  --max-headers <size>          largest header block, larger is answered 431 (default 16k)
  --retry-closed                also retry on another server a GET/HEAD/OPTIONS/PUT/DELETE a server
                                closed unanswered (a copy of every request: about 4.7x HAProxy's CPU)`;

function parse(argv: readonly string[]) {
  const options = Object.fromEntries(
    Object.entries(CLI_OPTIONS).map(([name, option]) => [
      name,
      { type: 'flag' in option ? 'boolean' : 'string', multiple: true } as const,
    ]),
  );
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, options: { ...options, help: { type: 'boolean' } } });
  } catch (error) {
    throw new UsageError(`faultline-edge: ${(error as Error).message}`);
  }
}

function write(out: string, files: Readonly<Record<string, string>>, tmp: boolean): number {
  try {
    makeDirectory(tmp ? join(out, 'tmp') : out);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(out, name), text);
  } catch (error) {
    process.stderr.write(`faultline-edge: cannot write ${JSON.stringify(out)}: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`faultline-edge: wrote ${Object.keys(files).join(', ')} to ${out}\n`);
  return 0;
}

function main(argv: readonly string[]): number {
  let files: Readonly<Record<string, string>>;
  let out: string;
  let gateway: Gateway;
  try {
    const { values, positionals } = parse(argv);
    if (values.help === true) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    gateway = gatewayOf(positionals);
    const { help: _help, ...given } = values;
    const cli = given as CliValues;
    checkGiven(gateway, cli);
    const dir = cli.out?.[0];
    if (dir === undefined) throw new UsageError('faultline-edge: --out <dir> is required');
    out = resolve(dir);
    files =
      gateway === 'nginx'
        ? renderNginx(nginxOptionsOf(cli, out))
        : { 'haproxy.cfg': renderHaproxy(haproxyOptionsOf(cli)) };
  } catch (error) {
    // Usage errors and refused values alike: exit 2, the message names the value given.
    process.stderr.write(`${(error as Error).message}\n(npx @faultline/edge --help for usage)\n`);
    return 2;
  }
  return write(out, files, gateway === 'nginx');
}

process.exitCode = main(process.argv.slice(2));

/**
 * A real rsyslog (Debian `rsyslog` + `rsyslog-gnutls`) for the drain tests: certificates made at
 * test time with openssl (a CA, the receiver's certificate for 127.0.0.1, a client certificate,
 * and a client certificate from another CA that must be refused), rsyslogd in the foreground on a
 * loopback port with TLS and `x509/certvalid` client authentication, writing each message's
 * APP-NAME and MSG to a file the test reads.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './ports.js';

/** PEM material for one party. */
export interface Pem {
  readonly cert: string;
  readonly key: string;
}

/** Certificates for a TLS drain test. */
export interface DrainCertificates {
  readonly dir: string;
  readonly ca: string;
  readonly server: Pem;
  readonly client: Pem;
  /** A client certificate signed by a CA the receiver does not trust. */
  readonly rogue: Pem;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

function issue(dir: string, name: string, subject: string, ca: string, ext?: string): Pem {
  openssl(dir, [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    subject,
  ]);
  const extArgs = ext === undefined ? [] : ['-extfile', ext];
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    ...extArgs,
  ]);
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}

/** Makes a CA, a receiver certificate for 127.0.0.1/localhost, a client certificate and a rogue one. */
export function makeDrainCertificates(): DrainCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-certs-'));
  for (const ca of ['ca', 'rogue-ca']) {
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${ca}`,
    ]);
  }
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  const server = issue(dir, 'server', '/CN=localhost', 'ca', 'server.ext');
  const client = issue(dir, 'client', '/CN=faultline-service', 'ca', 'client.ext');
  const rogue = issue(dir, 'rogue', '/CN=intruder', 'rogue-ca', 'client.ext');
  return { dir, ca: readFileSync(join(dir, 'ca.crt'), 'utf8'), server, client, rogue };
}

/** A running rsyslogd. */
export interface Rsyslog {
  readonly port: number;
  /** Lines written so far (`<APP-NAME> <MSG>`). */
  lines(): string[];
  stop(): Promise<void>;
}

/** Starts rsyslogd in the foreground with TLS and client-certificate authentication on `port`. */
export async function startRsyslog(certs: DrainCertificates, port?: number): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-rsyslog-'));
  const listenPort = port ?? (await freePort());
  writeFileSync(join(dir, 'server.crt'), certs.server.cert);
  writeFileSync(join(dir, 'server.key'), certs.server.key);
  writeFileSync(join(dir, 'ca.crt'), certs.ca);
  const out = join(dir, 'out.log');
  writeFileSync(
    join(dir, 'rsyslog.conf'),
    `global(
  workDirectory="${dir}"
  DefaultNetstreamDriver="gtls"
  DefaultNetstreamDriverCAFile="${dir}/ca.crt"
  DefaultNetstreamDriverCertFile="${dir}/server.crt"
  DefaultNetstreamDriverKeyFile="${dir}/server.key"
)
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.Authmode="x509/certvalid")
input(type="imtcp" port="${listenPort}" address="127.0.0.1")
template(name="raw" type="string" string="%app-name% %msg%\\n")
*.* action(type="omfile" file="${out}" template="raw")
`,
  );
  writeFileSync(out, '');
  const proc: ChildProcess = spawn(
    'rsyslogd',
    ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')],
    {
      stdio: 'ignore',
    },
  );
  try {
    await waitForPort(listenPort, 10_000);
  } catch (error) {
    proc.kill('SIGKILL'); // do not leave a half-started rsyslogd behind
    throw new Error(`rsyslogd did not listen on ${listenPort}`, { cause: error });
  }
  return {
    port: listenPort,
    lines: () =>
      readFileSync(out, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) {
          resolve();
          return;
        }
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/**
 * gRPC probes through a real grpc-js client with a raw-bytes codec: an unknown method, hostile
 * metadata, and for each method given (`--grpc-method /pkg.Service/Method`): undecodable bytes,
 * an empty message and an oversized one. Details, metadata and the rich-status blob are checked.
 */
import { type Client, credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { type Answer, checkAnswer } from '../answer.js';
import type { Finding } from '../findings.js';

const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };

function clientFor(address: string, path: string, tls: boolean): Client & Record<string, (...a: unknown[]) => unknown> {
  const Ctor = makeGenericClientConstructor(
    {
      call: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: raw.serialize,
        requestDeserialize: raw.deserialize,
        responseSerialize: raw.serialize,
        responseDeserialize: raw.deserialize,
      },
    },
    'Probe',
  );
  const creds = tls
    ? credentials.createSsl(null, null, null, { checkServerIdentity: () => undefined })
    : credentials.createInsecure();
  return new Ctor(address, creds, { 'grpc.max_send_message_length': -1 }) as Client &
    Record<string, (...a: unknown[]) => unknown>;
}

/** One unary call; resolves with the error as an {@link Answer} (status = gRPC code), or undefined on success. */
function call(
  address: string,
  path: string,
  tls: boolean,
  body: Buffer,
  metadata: Metadata,
  timeoutMs: number,
): Promise<Answer | undefined> {
  const client = clientFor(address, path, tls);
  return new Promise((resolve) => {
    (client.call as (...a: unknown[]) => unknown)(
      body,
      metadata,
      { deadline: Date.now() + timeoutMs },
      (error: ServiceError | null) => {
        client.close();
        if (error === null) {
          resolve(undefined);
          return;
        }
        const headers: Record<string, string> = {};
        for (const [key, value] of Object.entries(error.metadata?.getMap() ?? {})) {
          headers[key] = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
        }
        resolve({ status: error.code, headers, body: `${error.details}\n${error.message}` });
      },
    );
  });
}

/** Runs the gRPC probes. */
export async function probeGrpc(
  address: string,
  options: {
    tls: boolean;
    methods: readonly string[];
    marker: string;
    timeoutMs: number;
    onProgress?: (label: string) => void;
  },
): Promise<{ findings: Finding[]; sent: number; reachable: boolean; unreachable: boolean }> {
  const findings: Finding[] = [];
  const hostile = new Metadata();
  hostile.set('x-request-id', `"}<script>${options.marker}`);
  hostile.set('x-probe', options.marker);
  const probes: { name: string; path: string; body: Buffer; metadata: Metadata }[] = [
    {
      name: 'unknown-method',
      path: `/faultline.probe.Unknown/${options.marker}`,
      body: Buffer.alloc(0),
      metadata: new Metadata(),
    },
    {
      name: 'unknown-method-hostile-metadata',
      path: `/faultline.probe.Unknown/Call`,
      body: Buffer.alloc(0),
      metadata: hostile,
    },
  ];
  for (const method of options.methods) {
    probes.push(
      {
        name: 'undecodable-message',
        path: method,
        body: Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x1a, 0x01]),
        metadata: new Metadata(),
      },
      { name: 'json-not-protobuf', path: method, body: Buffer.from(`{"${options.marker}":`), metadata: hostile },
      { name: 'empty-message', path: method, body: Buffer.alloc(0), metadata: new Metadata() },
      { name: 'oversized-message', path: method, body: Buffer.alloc(5 * 1024 * 1024, 0x41), metadata: new Metadata() },
    );
  }
  let sent = 0;
  let reachable = true;
  let reachedOnce = false;
  for (const probe of probes) {
    options.onProgress?.(`grpc ${probe.name}`);
    const answer = await call(address, probe.path, options.tls, probe.body, probe.metadata, options.timeoutMs);
    sent += 1;
    if (answer === undefined) continue;
    if (answer.status === 14 && /ECONNREFUSED|No connection established/.test(answer.body)) {
      reachable = false;
      break;
    }
    reachedOnce = true;
    findings.push(
      ...checkAnswer(answer, { probe: `grpc ${probe.name}`, location: probe.path, marker: options.marker }),
    );
    if (answer.headers['x-request-id'] === undefined)
      findings.push({
        rule: 'id/missing',
        severity: 'low',
        message: 'A failed call carries no x-request-id.',
        probe: `grpc ${probe.name}`,
        location: probe.path,
      });
  }
  return { findings, sent, reachable, unreachable: !reachedOnce && !reachable };
}

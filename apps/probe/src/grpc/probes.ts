/**
 * gRPC probes: an unknown method, hostile metadata, the standard health service (Check and Watch),
 * and on every method found undecodable bytes, malformed and wrong-typed JSON (JSON-codec services
 * exist), an empty message, an oversized one, and a garbled bearer token (an auth interceptor's
 * error). Details, metadata and the rich-status blob are checked. Calls go out a few at a time under
 * the run's deadline; a stream that has answered is read on beside the next calls, to its end or
 * its deadline, so a failure that comes seconds after its first message is read too.
 */
import { Metadata } from '@grpc/grpc-js';
import { checkAnswer } from '../answer.js';
import { pool } from '../budget.js';
import type { ProbeRun } from '../context.js';
import { garbledTokens, wrongBody } from '../http/mutate.js';
import { call, rawClient } from './call.js';

/** The standard health service's methods. */
export const HEALTH = { check: '/grpc.health.v1.Health/Check', watch: '/grpc.health.v1.Health/Watch' } as const;

/** One gRPC probe. */
interface GrpcProbe {
  readonly name: string;
  readonly path: string;
  readonly body: Buffer;
  readonly metadata: Metadata;
  readonly streaming?: boolean;
}

/** A HealthCheckRequest naming `service` (field 1, a string). */
function healthRequest(service: string): Buffer {
  const name = Buffer.from(service);
  return Buffer.concat([Buffer.from([0x0a, name.length]), name]);
}

/**
 * The probes for `methods` (health methods get health requests). Every method is called
 * server-streaming: on the wire a unary call is the same request, and a method that streams (named
 * by `--grpc-method`, its kind unknown) has every message and its status read, not only its first
 * message (a unary client gives up on a second message, and the leak in it is lost).
 */
export function grpcProbes(methods: readonly string[], marker: string): GrpcProbe[] {
  const hostile = new Metadata();
  hostile.set('x-request-id', `"}<script>${marker}`);
  hostile.set('x-probe', marker);
  const none = () => new Metadata();
  const bearer = () => {
    const metadata = new Metadata();
    metadata.set('authorization', garbledTokens(marker).garbage);
    return metadata;
  };
  const undecodable = Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x1a, 0x01]);
  const probes: GrpcProbe[] = [
    { name: 'unknown-method', path: `/faultline.probe.Unknown/${marker}`, body: Buffer.alloc(0), metadata: none() },
    {
      name: 'unknown-method-hostile-metadata',
      path: '/faultline.probe.Unknown/Call',
      body: Buffer.alloc(0),
      metadata: hostile,
    },
  ];
  methods.forEach((path, index) => {
    const streaming = true;
    const bodies: [string, Buffer, Metadata][] = [
      ['undecodable-message', undecodable, none()],
      ['json-not-protobuf', Buffer.from(`{"${marker}":`), hostile],
      ['json-wrong-types', Buffer.from(wrongBody(undefined)), none()],
      ['empty-message', Buffer.alloc(0), none()],
      // A well-formed message with a token that is not one: an auth interceptor answers its library's error.
      ['garbled-token', Buffer.alloc(0), bearer()],
    ];
    if (path === HEALTH.check || path === HEALTH.watch)
      bodies.push(['health-unknown-service', healthRequest(`${marker}.Svc`), none()]);
    // 5 MB each: on the first few methods only.
    else if (index < 3) bodies.push(['oversized-message', Buffer.alloc(5 * 1024 * 1024, 0x41), none()]);
    for (const [name, body, metadata] of bodies) probes.push({ name, path, body, metadata, streaming });
  });
  return probes;
}

/** Past this many open calls (streams read on included), the pool sends no more until one is over. */
const LISTENING_MAX = 16;

/** The status a server answers for a method it does not serve. */
const UNIMPLEMENTED = 12;

/**
 * Statuses a gateway answers in the service's place (UNAVAILABLE: the service is down or refused
 * the connection; DEADLINE_EXCEEDED: it was silent past the gateway's timeout): no method answered.
 */
const GATEWAY_CODES: ReadonlySet<number> = new Set([14, 4]);

/**
 * What the answers to a method say: `served` (some answer other than UNIMPLEMENTED, UNAVAILABLE or
 * DEADLINE_EXCEEDED), `unavailable` (none served, some UNAVAILABLE or DEADLINE_EXCEEDED: nothing
 * behind a gateway answered), or `unimplemented` (every answer UNIMPLEMENTED).
 */
export type MethodState = 'served' | 'unavailable' | 'unimplemented';

function stateOf(code: number): MethodState {
  return code === UNIMPLEMENTED ? 'unimplemented' : GATEWAY_CODES.has(code) ? 'unavailable' : 'served';
}

const RANK: Readonly<Record<MethodState, number>> = { unimplemented: 0, unavailable: 1, served: 2 };

/**
 * Runs the gRPC probes against `address`; findings go to `run.findings`. Resolves, for each of
 * `methods` that got an answer, what its answers say of it ({@link MethodState}).
 */
export async function probeGrpc(
  run: ProbeRun,
  address: string,
  tls: boolean,
  methods: readonly string[],
): Promise<Map<string, MethodState>> {
  const client = rawClient(address, tls);
  const { budget } = run;
  const served = new Map<string, MethodState>();
  // Calls not yet over: streams that answered are read on side by side, each to its end or deadline.
  const open = new Set<Promise<void>>();
  const probeOne = async (probe: GrpcProbe, onAnswering: () => void) => {
    run.onProgress?.(`grpc ${probe.name}`);
    const result = await call(client, probe.path, probe.body, probe.metadata, {
      timeoutMs: budget.requestTimeout(),
      signal: budget.signal,
      ...(probe.streaming === true ? { streaming: true, onAnswering, firstMoment: probe.path === HEALTH.watch } : {}),
    });
    budget.record(result.outcome);
    const answer = result.answer;
    if (answer === undefined) return;
    if (methods.includes(probe.path)) {
      const state = stateOf(answer.status);
      const before = served.get(probe.path);
      if (before === undefined || RANK[state] > RANK[before]) served.set(probe.path, state);
    }
    run.findings.push(
      ...checkAnswer(answer, { probe: `grpc ${probe.name}`, location: probe.path, marker: run.marker }),
    );
    if (answer.status !== 0 && answer.headers['x-request-id'] === undefined)
      run.findings.push({
        rule: 'id/missing',
        severity: 'low',
        message: 'A failed call carries no x-request-id.',
        probe: `grpc ${probe.name}`,
        location: probe.path,
      });
  };
  try {
    await pool(grpcProbes(methods, run.marker), 4, budget.signal, async (probe) => {
      if (!budget.take()) return;
      // A stream's first message frees its place: the next call goes out while it is read on.
      let answered = () => {};
      const answering = new Promise<void>((resolve) => {
        answered = resolve;
      });
      const whole = probeOne(probe, () => answered());
      const over = () => open.delete(whole);
      open.add(whole);
      whole.then(over, over);
      await Promise.race([whole, answering]);
      // At most this many streams are read on at once (each keeps up to 1 MB): past it, the next call waits.
      while (open.size > LISTENING_MAX) await Promise.race(open);
    });
    await Promise.all(open);
  } finally {
    client.close();
  }
  return served;
}

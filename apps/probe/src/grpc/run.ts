/**
 * The gRPC side of a run: which methods to probe (named, from a `.proto`, from server reflection,
 * the standard health service), the probes, then what was reached. Only what answers is listed:
 * a health method that answers UNIMPLEMENTED is not served, and a run that reached no method of
 * the application (no reflection and none named, every one named UNIMPLEMENTED, or every one
 * answered UNAVAILABLE or DEADLINE_EXCEEDED, as a gateway answers with its service down) says so.
 */
import { discover, type ProbeRun, reach } from '../context.js';
import type { Target } from '../target.js';
import { methodsFromProto, methodsFromReflection } from './discover.js';
import { handshake } from './handshake.js';
import { HEALTH, probeGrpc } from './probes.js';

/** Options of the gRPC probes. */
export interface GrpcOptions {
  /** Methods named on the command line (`/pkg.Service/Method`). */
  readonly grpcMethods?: readonly string[];
  /** A `.proto` file whose services' methods are probed. */
  readonly protoFile?: string;
  /** No reflection and no health service: only the named methods. */
  readonly noDiscovery?: boolean;
}

/** At most this many methods are probed. */
const METHOD_LIMIT = 50;

/** Whether `path` is a method of the application (not the health or reflection service). */
function ofApplication(path: string): boolean {
  return !Object.values<string>(HEALTH).includes(path) && !path.startsWith('/grpc.reflection.');
}

/** Why no method of the application was reached, and how to reach them. */
function gapNote(
  probed: number,
  reflection: 'served' | 'not served' | 'not asked',
  health: boolean,
  unavailable: boolean,
): string {
  const how = 'Name the methods to probe: --grpc-method /pkg.Service/Method (repeatable) or --proto <file.proto>.';
  if (unavailable)
    return `No application method was reached: the ${probed} method(s) probed answered only UNAVAILABLE or DEADLINE_EXCEEDED (or UNIMPLEMENTED), as a gateway answers when the service behind it is down, refuses connections or is silent. Start the service (or check the gateway's upstream) and probe again.`;
  if (probed > 0)
    return `No application method was reached: the ${probed} method(s) probed all answered UNIMPLEMENTED (the server does not serve them) or not at all. Check the names given with --grpc-method or --proto. ${how}`;
  const why =
    reflection === 'not served'
      ? 'the server does not serve reflection'
      : reflection === 'served'
        ? 'server reflection lists no method of the application'
        : 'discovery is off (--no-discovery)';
  const tried = health ? 'an unknown method and the standard health service were' : 'an unknown method was';
  return `No application method was probed: ${why} and no --grpc-method or --proto was given. Only ${tried} called: the application's own errors were not checked. ${how}`;
}

/** Runs the gRPC probes against `target` (address `address`); findings and coverage go to `run`. */
export async function probeGrpcTarget(
  run: ProbeRun,
  target: Target,
  address: string,
  options: GrpcOptions,
): Promise<void> {
  const { budget } = run;
  if (!(await handshake(target, budget.requestTimeout(), budget.signal))) {
    // Nothing speaks HTTP/2 there in time: no call could be answered. It counts as one probe, unanswered.
    if (budget.take()) budget.record(budget.expired ? 'aborted' : 'timeout');
    return;
  }
  const methods = new Set(options.grpcMethods ?? []);
  if (options.protoFile !== undefined) for (const m of methodsFromProto(options.protoFile)) methods.add(m);
  let reflection: 'served' | 'not served' | 'not asked' = 'not asked';
  if (options.noDiscovery !== true) {
    const limits = { timeoutMs: budget.requestTimeout(), signal: budget.signal };
    const listed = await methodsFromReflection(address, target.tls, limits);
    reflection = listed === undefined ? 'not served' : 'served';
    if (listed === undefined) run.coverage.notServed.push('server reflection');
    for (const m of listed ?? []) {
      methods.add(m);
      discover(run, 'server reflection', m);
    }
    for (const m of Object.values(HEALTH)) methods.add(m);
  }
  const probed = [...methods].slice(0, METHOD_LIMIT);
  const served = await probeGrpc(run, address, target.tls, probed);
  // The health service is listed only where it answers; UNIMPLEMENTED means it is not served.
  for (const m of Object.values<string>(HEALTH)) {
    if (served.get(m) === 'served') discover(run, 'standard health service', m);
    else if (served.get(m) === 'unimplemented') run.coverage.notServed.push(`${m} (UNIMPLEMENTED)`);
  }
  const application = probed.filter(ofApplication);
  for (const m of application) if (served.get(m) === 'served') reach(run, m);
  if (run.coverage.reached.length === 0)
    run.coverage.gap = gapNote(
      application.length,
      reflection,
      probed.some((m) => Object.values<string>(HEALTH).includes(m)),
      application.some((m) => served.get(m) === 'unavailable'),
    );
}

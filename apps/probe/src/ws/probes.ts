/**
 * WebSocket probes on the given path and the common ones (`/ws`, `/socket`, `/graphql`, `/cable`):
 * a bad handshake with a hostile X-Request-ID (answered as HTTP); then, where an upgrade is
 * accepted, a malformed message (three times on one connection), wrong-typed JSON, an invalid
 * UTF-8 text frame, a binary frame that no binary protocol decodes and an oversized message on fresh
 * connections. Everything a client can read is checked: the fields of the 101 answer, the HTTP
 * answer to a valid handshake that is refused, data frames, ping and pong payloads and close
 * reasons; an abnormal close (1006) is reported. Each session listens {@link LATE_MS} after its send
 * (a server may answer a welcome at once and its error a second later); the probes of a path run at
 * once once its upgrade is accepted, so that wait is paid about once per endpoint, not once per
 * probe. Every connection ends at its limit of time or when the run's signal aborts.
 */
import type WebSocket from 'ws';
import { checkAnswer } from '../answer.js';
import { pool } from '../budget.js';
import { discover, type ProbeRun, reach } from '../context.js';
import { coverageFinding } from '../coverage.js';
import { wrongBody } from '../http/mutate.js';
import { type Endpoint, exchange } from '../http/raw-request.js';
import { OVERSIZED } from './frames.js';
import { LATE_MS, session } from './session.js';

/** Paths where WebSocket endpoints usually are. */
export const WS_PATHS = ['/ws', '/socket', '/graphql', '/cable'];

/** Runs the WebSocket probes against `origin` (`ws://host:port`) on `paths`; findings go to `run.findings`. */
export async function probeWs(
  run: ProbeRun,
  origin: string,
  endpoint: Endpoint,
  paths: readonly string[],
): Promise<void> {
  const { budget, marker } = run;
  const hostileId = `"}<script>${marker}`;
  const open: string[] = [];
  await pool(paths, 4, budget.signal, async (path) => {
    if (!budget.take()) return;
    run.onProgress?.(`ws bad-handshake ${path}`);
    const handshake = await exchange(
      endpoint,
      {
        method: 'GET',
        path,
        headers: {
          upgrade: 'websocket',
          connection: 'Upgrade',
          'sec-websocket-key': `<${marker}>`,
          'sec-websocket-version': '13',
          'x-request-id': hostileId,
        },
      },
      { timeoutMs: budget.requestTimeout(), signal: budget.signal },
    );
    budget.record(handshake.outcome);
    if (handshake.answer !== undefined)
      run.findings.push(
        ...checkAnswer(handshake.answer, {
          probe: 'ws bad-handshake',
          location: `GET ${path}`,
          marker,
          hostileId,
          expectError: true,
          http: true,
        }),
      );
    if (handshake.outcome !== 'refused') open.push(path);
  });
  const probes: { name: string; send: (socket: WebSocket) => void }[] = [
    {
      name: 'malformed-message',
      // Three times: some servers answer the first bad message plainly and leak on a later one.
      send: (s) => {
        for (let i = 0; i < 3; i += 1) s.send(`{"${marker}": `);
      },
    },
    { name: 'wrong-types', send: (s) => s.send(wrongBody(undefined)) },
    { name: 'invalid-utf8', send: (s) => s.send(Buffer.from([0xff, 0xfe, 0xc3, 0x28]), { binary: false }) },
    // A binary frame of bytes no binary protocol decodes (MessagePack's unused 0xc1, a length past the end):
    // a server that decodes binary messages answers its decoder's error.
    {
      name: 'binary-garbage',
      send: (s) => s.send(Buffer.from([0xc1, 0xff, 0xff, 0xff, 0x7f, 0x00]), { binary: true }),
    },
    { name: 'oversized-message', send: (s) => s.send('x'.repeat(4 * 1024 * 1024)) },
  ];
  /** Runs `probe` on `path` (`onOpen` is called once the upgrade is accepted); whether it was. */
  const one = async (path: string, probe: (typeof probes)[number], onOpen?: () => void): Promise<boolean> => {
    const url = `${origin}${path}`;
    if (!budget.take()) return false;
    run.onProgress?.(`ws ${probe.name} ${path}`);
    // A chatty server (a frame every 200 ms) holds a session at most a second past the late window.
    const waitMs = Math.min(budget.requestTimeout(), LATE_MS + 1000);
    const limits = { waitMs, handshakeMs: Math.min(waitMs, 1500) };
    const result = await session(url, probe.send, limits, budget.signal, onOpen);
    // An upgrade refused with an HTTP answer is an answer; the bad handshake already checked it.
    const refusedWithAnswer = /^Unexpected server response/.test(result.error ?? '');
    // A message over the limit (1 MB) cannot be read by the probe, nor by a client with a sane limit.
    const oversized = result.opened && result.error === OVERSIZED;
    budget.record(
      oversized
        ? 'unparseable'
        : result.opened || refusedWithAnswer
          ? 'answered'
          : result.error === 'aborted'
            ? 'aborted'
            : result.error === 'timeout'
              ? 'timeout'
              : 'closed',
    );
    // The HTTP answer to a valid handshake: checked for leaks (its fields were judged on the bad handshake's).
    if (result.refused !== undefined)
      run.findings.push(...checkAnswer(result.refused, { probe: `ws ${probe.name}`, location: `GET ${path}`, marker }));
    // A path that does not accept the upgrade is not a WebSocket endpoint: nothing more to send there.
    if (!result.opened) return false;
    if (probe.name === 'malformed-message') {
      discover(run, 'ws path', url);
      reach(run, url);
    }
    if (oversized)
      run.findings.push({
        rule: 'protocol/unparseable',
        severity: 'medium',
        message: 'The target sent a WebSocket message over 1 MB: a client cannot read it.',
        probe: `ws ${probe.name}`,
        location: url,
      });
    if (result.frames.unscanned > 0)
      run.findings.push(coverageFinding(result.frames.unscanned, `ws ${probe.name}`, url));
    const body = [
      ...result.frames.texts,
      result.close === undefined ? '' : `close ${result.close.code} ${result.close.reason}`,
    ].join('\n');
    run.findings.push(
      ...checkAnswer(
        { status: result.close?.code ?? 0, headers: result.headers, body },
        { probe: `ws ${probe.name}`, location: url, marker },
      ),
    );
    if (result.close?.code === 1006)
      run.findings.push({
        rule: 'availability/abnormal-close',
        severity: 'high',
        message: 'The connection ended without a close frame (1006): the server or its handler failed.',
        probe: `ws ${probe.name}`,
        location: url,
      });
    return true;
  };
  await pool(open, 2, budget.signal, async (path) => {
    const [first, ...rest] = probes;
    if (first === undefined) return;
    // The rest start once the first upgrade is accepted (a path that refuses it gets one probe), and
    // all at once, each on its own connection: the LATE_MS each listens is paid once per path.
    let others: Promise<boolean>[] = [];
    await one(path, first, () => {
      others = rest.map((probe) => one(path, probe));
    });
    await Promise.all(others);
  });
  // An HTTP run's own note (set first) says more than this one.
  if (run.coverage.reached.length === 0)
    run.coverage.gap ??= `No WebSocket upgrade was accepted on ${paths.join(', ')}: no session was probed, so the endpoint's own errors were not checked. Put the endpoint's path in the URL (ws://host:port/path).`;
}

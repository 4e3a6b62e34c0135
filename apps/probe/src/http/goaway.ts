/**
 * HTTP/2 GOAWAY debug data (RFC 9113 §6.8): the opaque bytes a server may add when it ends a
 * session. Servers put diagnostics there (an error's message and stack), and any client, or proxy
 * log, can read them: they are checked like an answer body, at the requests in flight when the
 * session ended (one of them made the server end it).
 */
import type { ClientHttp2Session } from 'node:http2';
import { type Answer, checkAnswer } from '../answer.js';
import type { Finding } from '../findings.js';

/** The most read of GOAWAY's debug data (a frame is at most 16 KB by default; larger ones are cut). */
const GOAWAY_BYTES = 65_536;

/** The answer a GOAWAY stands for: its error code and debug data, as a client could log them. */
export function goawayAnswer(code: number, data: Buffer | undefined): Answer | undefined {
  if (data === undefined || data.length === 0) return undefined;
  return { status: 0, headers: {}, body: `GOAWAY ${code} ${data.subarray(0, GOAWAY_BYTES).toString('utf8')}` };
}

/**
 * Calls `report` with the findings of each GOAWAY with debug data that `session` receives, at
 * `locations()` (the requests in flight then, or the last one sent).
 */
export function watchGoaway(
  session: ClientHttp2Session,
  locations: () => readonly string[],
  marker: string,
  report: (findings: Finding[]) => void,
): void {
  session.on('goaway', (code: number, _lastStreamId: number, data?: Buffer) => {
    const answer = goawayAnswer(code, data);
    if (answer === undefined) return;
    for (const location of locations()) report(checkAnswer(answer, { probe: 'http goaway', location, marker }));
  });
}

/**
 * WebSocket probes: a bad handshake with a hostile X-Request-ID (answered as HTTP), then on an
 * open connection a malformed message, an invalid UTF-8 text frame and an oversized message; the
 * frames and close reasons are checked, and an abnormal close (1006) or a server that no longer
 * accepts connections is reported as a crash.
 */
import WebSocket from 'ws';
import { checkAnswer } from '../answer.js';
import type { Finding } from '../findings.js';
import { type Endpoint, exchange } from '../http/raw-request.js';

/** Sends `message` on a fresh connection; collects frames and the close for up to `waitMs`. */
function session(
  url: string,
  send: (socket: WebSocket) => void,
  waitMs: number,
): Promise<{ frames: string[]; close?: { code: number; reason: string }; error?: string }> {
  return new Promise((resolve) => {
    const frames: string[] = [];
    const socket = new WebSocket(url, { rejectUnauthorized: false, maxPayload: 1024 * 1024 });
    const done = (result: { close?: { code: number; reason: string }; error?: string }) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.terminate();
      resolve({ frames, ...result });
    };
    const timer = setTimeout(() => done({}), waitMs);
    socket.on('open', () => send(socket));
    socket.on('message', (data) => frames.push(String(data)));
    socket.on('close', (code, reason) => done({ close: { code, reason: String(reason) } }));
    socket.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
  });
}

/** Runs the WebSocket probes against `url` (ws:// or wss://). */
export async function probeWs(
  url: string,
  endpoint: Endpoint,
  options: { marker: string; timeoutMs: number; onProgress?: (label: string) => void },
): Promise<{ findings: Finding[]; sent: number; reachable: boolean }> {
  const findings: Finding[] = [];
  const path = new URL(url).pathname || '/';
  options.onProgress?.('ws bad-handshake');
  const hostileId = `"}<script>${options.marker}`;
  const handshake = await exchange(
    endpoint,
    {
      method: 'GET',
      path,
      headers: {
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': `<${options.marker}>`,
        'sec-websocket-version': '13',
        'x-request-id': hostileId,
      },
    },
    options.timeoutMs,
  );
  if (handshake.error === 'ECONNREFUSED') return { findings, sent: 1, reachable: false };
  if (handshake.answer !== undefined)
    findings.push(
      ...checkAnswer(handshake.answer, {
        probe: 'ws bad-handshake',
        location: `GET ${path}`,
        marker: options.marker,
        hostileId,
        expectError: true,
        http: true,
      }),
    );
  const sessions: { name: string; send: (socket: WebSocket) => void }[] = [
    { name: 'malformed-message', send: (s) => s.send(`{"${options.marker}": `) },
    { name: 'invalid-utf8', send: (s) => s.send(Buffer.from([0xff, 0xfe, 0xc3, 0x28]), { binary: false }) },
    { name: 'oversized-message', send: (s) => s.send('x'.repeat(4 * 1024 * 1024)) },
  ];
  let sent = 1;
  for (const probe of sessions) {
    options.onProgress?.(`ws ${probe.name}`);
    const result = await session(url, probe.send, Math.min(options.timeoutMs, 1500));
    sent += 1;
    const body = [
      ...result.frames,
      result.close === undefined ? '' : `close ${result.close.code} ${result.close.reason}`,
    ].join('\n');
    findings.push(
      ...checkAnswer(
        { status: result.close?.code ?? 0, headers: {}, body },
        { probe: `ws ${probe.name}`, location: url, marker: options.marker },
      ),
    );
    if (result.close?.code === 1006)
      findings.push({
        rule: 'availability/abnormal-close',
        severity: 'high',
        message: 'The connection ended without a close frame (1006): the server or its handler failed.',
        probe: `ws ${probe.name}`,
        location: url,
      });
  }
  options.onProgress?.('ws still-accepting');
  const after = await session(url, (s) => s.close(1000), options.timeoutMs);
  const reachable = after.error === undefined;
  return { findings, sent: sent + 1, reachable };
}

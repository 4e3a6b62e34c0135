/**
 * RFC 5424 syslog messages for pino JSON lines, framed for TLS transport by octet counting
 * (RFC 5425 §4.3: `MSG-LEN SP SYSLOG-MSG`). The JSON record is the MSG, unchanged; the header
 * carries facility/severity (from pino's level), timestamp, host, app name and pid.
 */
import { hostname } from 'node:os';

/** Header fields of every message from one process. */
export interface SyslogHeader {
  /** Facility number (default 16, local0). */
  readonly facility: number;
  /** APP-NAME (printable ASCII, at most 48 characters). */
  readonly appName: string;
  /** HOSTNAME (printable ASCII, at most 255 characters). */
  readonly hostname: string;
  /** PROCID. */
  readonly procId: string;
}

/** A header field as RFC 5424 allows it: printable US-ASCII without spaces, `-` when empty. */
function field(value: string, max: number): string {
  const clean = value.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

/** The header for this process, from `appName` and `facility`. */
export function syslogHeader(appName: string, facility = 16): SyslogHeader {
  return {
    facility: Number.isInteger(facility) && facility >= 0 && facility <= 23 ? facility : 16,
    appName: field(appName, 48),
    hostname: field(hostname(), 255),
    procId: field(String(process.pid), 128),
  };
}

/** Syslog severity of a pino line: 50+ error (3), 40 warning (4), below informational (6). */
export function severityOf(line: string): number {
  const match = /^\{"level":(\d{1,3})/.exec(line);
  const level = match === null ? 30 : Number(match[1]);
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  return 6;
}

/**
 * Default most bytes of one SYSLOG-MSG (header and record): what rsyslog takes by default (its
 * `maxMessageSize` of "8k" is 8096 bytes; past them it splits the message). RFC 5425 (§4.3.1)
 * asks receivers for 2048 at least.
 */
export const MAX_MESSAGE_BYTES = 8096;

/**
 * One framed message (`LEN SP <PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`) for a pino line, cut
 * to `maxBytes` (at a character boundary). A longer one was not refused by rsyslog but split: the
 * bytes past its limit were parsed as messages of their own, so text in a record (an error
 * message quoting a request) made forged messages with a host, app and severity of its choosing.
 */
export function frame(line: string, header: SyslogHeader, now = new Date(), maxBytes = MAX_MESSAGE_BYTES): Buffer {
  const message = line.endsWith('\n') ? line.slice(0, -1) : line;
  const pri = header.facility * 8 + severityOf(message);
  const head = Buffer.from(
    `<${pri}>1 ${now.toISOString()} ${header.hostname} ${header.appName} ${header.procId} fault - `,
  );
  let msg = Buffer.from(message);
  const room = Math.max(0, maxBytes - head.length);
  if (msg.length > room) {
    let cut = room;
    // Never inside a UTF-8 sequence: back to the first byte of the character the limit falls in.
    while (cut > 0 && ((msg[cut] as number) & 0xc0) === 0x80) cut -= 1;
    msg = msg.subarray(0, cut);
  }
  const length = head.length + msg.length;
  return Buffer.concat([Buffer.from(`${length} `), head, msg]);
}

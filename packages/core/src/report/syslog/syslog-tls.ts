/**
 * `syslogTls({...})`: the authenticated syslog destination an application passes to
 * `createReporter`. Checks the options (naming a wrong or missing one), then makes the sink
 * (tls-sink.ts) with its plain description, from which the reporter's worker opens its own copy.
 */
import { checkOptions, OptionsError } from '../../options-check.js';
import { SYSLOG_TLS_RULES } from '../option-rules.js';
import type { Sink } from '../sink.js';
import { withSpec } from '../sink-spec.js';
import type { SyslogTlsOptions } from './tls-options.js';
import { SyslogTlsSink } from './tls-sink.js';

export type { SyslogTlsOptions } from './tls-options.js';

/** A syslog-over-TLS destination for `createReporter({ destination: syslogTls({...}) })`; `node:tls` loads here. */
export function syslogTls(options: SyslogTlsOptions): Sink {
  checkOptions('syslogTls', options, SYSLOG_TLS_RULES);
  for (const required of ['host', 'port', 'ca', 'cert', 'key'] as const) {
    if (options?.[required] === undefined) throw new OptionsError('syslogTls', required, 'is required');
  }
  return withSpec(new SyslogTlsSink(options), { kind: 'syslog-tls', options: { ...options } });
}

import { readFileSync } from 'node:fs';
import { createReporter, syslogTls } from '@faultline/core';

// RFC 5424 over TLS (RFC 5425 framing) with a client certificate: rsyslog, Fluentd, Fluent Bit.
export const reporter = createReporter({
  destination: syslogTls({
    host: 'logs.internal',
    port: 6514,
    ca: readFileSync('/etc/faultline/ca.pem'),
    cert: readFileSync('/etc/faultline/orders.crt'),
    key: readFileSync('/etc/faultline/orders.key'),
    appName: 'orders',
  }),
  fallbackDestination: 2, // stderr while a path cannot be opened (a file destination); syslog buffers instead
});

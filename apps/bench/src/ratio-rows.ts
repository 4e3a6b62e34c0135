/**
 * The rows of `bench:ratios` (issues 11 and 22): each divides the rate of one server mode by
 * another's, measured side by side in the same rounds. Goals are for the idle GC state (issue 22);
 * the fresh state is printed next to it.
 */
import type { ServerMode } from './ratio-servers.js';

/** One row of the ratio table. */
export interface Row {
  readonly label: string;
  /**
   * Rows of one group share their runs: each round runs every mode of the group once, back to
   * back, and each row divides two of them (a floor row costs one more mode, not two more runs).
   */
  readonly group: string;
  readonly subject: ServerMode;
  readonly baseline: ServerMode;
  /** The goal the ratio must reach; `undefined` for rows printed as information. */
  readonly goal: number | undefined;
}

/** Every row, in print order. */
export const ROWS: readonly Row[] = [
  {
    label: 'HTTP error route, Faultline (no reporter) / stock default handler, logger off',
    group: 'http-error',
    subject: 'http-faultline-error',
    baseline: 'http-stock-error',
    goal: 1.0,
  },
  {
    label: "HTTP error floor: stock Fastify sending Faultline's bytes by hand / stock",
    group: 'http-error',
    subject: 'http-floor-error',
    baseline: 'http-stock-error',
    goal: undefined,
  },
  {
    label: 'HTTP error route, Faultline / that floor (Faultline own per-request work)',
    group: 'http-error',
    subject: 'http-faultline-error',
    baseline: 'http-floor-error',
    goal: 0.95,
  },
  {
    label: 'HTTP error route, Faultline reporter to a file / reporter off',
    group: 'http-error',
    subject: 'http-faultline-reporter-file',
    baseline: 'http-faultline-error',
    goal: 0.95,
  },
  {
    label: 'HTTP 404, Faultline / stock Fastify 404',
    group: 'http-404',
    subject: 'http-faultline-404',
    baseline: 'http-stock-404',
    goal: 1.0,
  },
  {
    label: "HTTP 404 floor: stock Fastify sending Faultline's 404 bytes by hand / stock",
    group: 'http-404',
    subject: 'http-floor-404',
    baseline: 'http-stock-404',
    goal: undefined,
  },
  {
    label: 'HTTP 404, Faultline / that floor (Faultline own per-request work)',
    group: 'http-404',
    subject: 'http-faultline-404',
    baseline: 'http-floor-404',
    goal: 0.95,
  },
  {
    label: 'gRPC unary error, Faultline / plain grpc-js callback(err), h2load -c1 -m50',
    group: 'grpc-error',
    subject: 'grpc-faultline-error',
    baseline: 'grpc-plain-error',
    goal: 0.85,
  },
  {
    label: "gRPC floor: plain grpc-js sending Faultline's trailers by hand / plain",
    group: 'grpc-error',
    subject: 'grpc-plain-error-trailers',
    baseline: 'grpc-plain-error',
    goal: undefined,
  },
  {
    label: 'gRPC unary error, Faultline / that floor (Faultline own per-call work)',
    group: 'grpc-error',
    subject: 'grpc-faultline-error',
    baseline: 'grpc-plain-error-trailers',
    goal: undefined,
  },
  {
    label: 'gRPC unary success, wrapped / plain',
    group: 'grpc-ok',
    subject: 'grpc-faultline-ok',
    baseline: 'grpc-plain-ok',
    goal: 0.97,
  },
  {
    label: "Express error, Faultline (no reporter) / stock Express sending Faultline's bytes by hand",
    group: 'express',
    subject: 'express-faultline-error',
    baseline: 'express-floor-error',
    goal: undefined,
  },
  {
    label: 'Express error, Faultline (reporter to a file) / default handler (production)',
    group: 'express',
    subject: 'express-faultline-file',
    baseline: 'express-default-production',
    goal: undefined,
  },
  {
    label: "Express error, Faultline (reporter to a file) / the seed's console.error(err.stack)",
    group: 'express',
    subject: 'express-faultline-file',
    baseline: 'express-seed-console',
    goal: undefined,
  },
];

/** Real Express 5 and Express 4 apps on 127.0.0.1 with the Faultline pieces, for the tests. */
import type { Server } from 'node:http';
import { createReporter } from '@faultline/core';
import { memoryLog } from '@faultline/testkit';
import express5 from 'express';
import express4 from 'express4';
import { asyncHandler, faultline } from '../src/index.js';
import type { ErrorRequestHandler, RequestHandler } from '../src/types.js';

/** Which Express. */
export type Major = 4 | 5;

/** A running app, its log and how to stop it. */
export interface RunningApp {
  readonly url: string;
  readonly records: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Routes an app gets: `register(app, wrap)` where `wrap` is `asyncHandler` on Express 4. */
export type Routes = (app: ExpressLike, wrap: (handler: RequestHandler) => RequestHandler) => void;

/** The part of an Express app the tests use (both majors). */
export interface ExpressLike {
  use(...handlers: unknown[]): unknown;
  get(path: string, ...handlers: unknown[]): unknown;
  post(path: string, ...handlers: unknown[]): unknown;
  head(path: string, ...handlers: unknown[]): unknown;
  listen(port: number, host: string, callback: () => void): Server;
}

/** Starts an Express `major` app: request id, JSON body parser, `routes`, not-found, error middleware. */
export async function startApp(
  major: Major,
  routes: Routes,
  extraErrorHandler?: ErrorRequestHandler,
): Promise<RunningApp> {
  const log = memoryLog();
  const fl = faultline({ reporter: createReporter({ logger: log.logger, dedupWindowMs: 0, flushOnExit: false }) });
  const factory = (major === 5 ? express5 : express4) as unknown as (() => ExpressLike) & { json(o?: object): unknown };
  const app = factory();
  app.use(fl.requestId);
  app.use(factory.json({ limit: '1kb' }));
  routes(app, major === 4 ? asyncHandler : (handler) => handler);
  app.use(fl.notFound);
  if (extraErrorHandler !== undefined) app.use(extraErrorHandler);
  app.use(fl.errorHandler);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  server.on('clientError', fl.clientError);
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    records: log.records,
    stop: async () => {
      await fl.reporter?.flush();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The value of header `name` (lower case) among an answer's raw header lines, else undefined. */
export function headerValue(lines: readonly string[], name: string): string | undefined {
  return lines
    .find((l) => l.toLowerCase().startsWith(`${name}:`))
    ?.slice(name.length + 1)
    .trim();
}

/**
 * Leaky Express 5 targets: an app left in development mode (the default error handler answers
 * stacks) with a Mongo error on /auth/login and a file error on /admin, and an API that answers
 * jsonwebtoken's error text to garbled bearer tokens.
 */
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import jwt from 'jsonwebtoken';
import { type LeakyTarget, portOf } from './planted.js';

async function listen(name: string, app: express.Express, planted: LeakyTarget['planted']): Promise<LeakyTarget> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    name,
    url: `http://127.0.0.1:${portOf(server)}`,
    planted,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Development mode: body-parser's stack on any malformed JSON, Mongo text on POST /auth/login, a file error on /admin. */
export function devModeApp(): Promise<LeakyTarget> {
  const app = express();
  // Express's env is NODE_ENV or 'development': every env but 'production' answers stacks (vitest's
  // NODE_ENV=test does too, and keeps Express from logging each error to the console).
  if (app.get('env') === 'production') app.set('env', 'development');
  app.use(express.json());
  app.post('/auth/login', () => {
    throw new Error('MongoServerError: E11000 duplicate key error collection: app.sessions index: token_1');
  });
  app.get('/admin', () => {
    throw new Error("EACCES: permission denied, open '/etc/app/admin.key'");
  });
  return listen('Express in development mode', app, [
    { rule: 'leak/stack-node', where: 'POST /' },
    { rule: 'leak/driver-mongo', where: '/auth/login' },
    { rule: 'leak/errno', where: 'GET /admin' },
  ]);
}

/** jsonwebtoken's message on GET /api/users, its name and message on /api/v1/admin. */
export function jwtApp(): Promise<LeakyTarget> {
  const app = express();
  const verify = (withName: boolean) => (req: Request, res: Response, next: NextFunction) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    try {
      jwt.verify(token, 'a-secret-of-the-service');
      next();
    } catch (error) {
      const { name, message } = error as Error;
      res.status(401).json({ error: withName ? `${name}: ${message}` : message });
    }
  };
  app.get('/api/users', verify(false), (_req, res) => void res.json([]));
  app.get('/api/v1/admin', verify(true), (_req, res) => void res.json({}));
  app.use((_req: Request, res: Response) => void res.status(404).json({ error: 'not found' }));
  return listen('Express, jsonwebtoken errors', app, [
    { rule: 'leak/auth-library', where: 'GET /api/users' },
    { rule: 'leak/auth-library', where: 'GET /api/v1/admin' },
  ]);
}

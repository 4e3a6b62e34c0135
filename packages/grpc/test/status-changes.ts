/**
 * Changes made to a Faultline status on its way out, by name, shared by the suites that check
 * they never reach the client: debug text appended to the details, a trailer added, the id
 * swapped or doubled, the trailers cloned and added to, the code rewritten, and a status object
 * whose every read throws.
 */
import { GrpcStatus } from '@faultline/core';
import type { StatusObject } from '@grpc/grpc-js';
import { REQUEST_ID_KEY } from '../src/index.js';

/** What every change adds: must never reach the client. */
export const SECRET = 'SELECT * FROM users_private hunter2-Zq9 at /srv/app/db.js:12';
/** Fragments of what the changes add, besides the testkit's stack and path fragments. */
export const FORBIDDEN = ['hunter2', 'users_private', 'evil-id', 'x-debug'];

/** A status object whose every read throws. */
const unreadable = () =>
  new Proxy(
    {},
    {
      get() {
        throw new Error(SECRET);
      },
    },
  ) as StatusObject;

/** Each change, by name: takes the status and returns the one to send on. */
export const STATUS_CHANGES: Record<string, (status: StatusObject) => StatusObject> = {
  details: (status) => ({ ...status, details: `${status.details} ${SECRET}` }),
  trailer: (status) => {
    status.metadata.set('x-debug', SECRET);
    return status;
  },
  'swap-id': (status) => {
    status.metadata.set(REQUEST_ID_KEY, 'evil-id');
    return status;
  },
  'add-id': (status) => {
    status.metadata.add(REQUEST_ID_KEY, 'evil-id');
    return status;
  },
  'clone-and-add': (status) => {
    const metadata = status.metadata.clone();
    metadata.set('x-debug', SECRET);
    return { ...status, metadata };
  },
  'rewrite-code': (status) => ({ ...status, code: GrpcStatus.NOT_FOUND, details: SECRET }),
  unreadable: () => unreadable(),
};

/** Document and key-value stores: MongoDB and Mongoose, Redis (ioredis, node-redis). */
import { MongoServerError } from 'mongodb';
import mongoose from 'mongoose';
import { type CorpusCase, classInstance, errorLike, SECRET } from './types.js';

/** Every document and key-value store case. */
export const NOSQL_CASES: readonly CorpusCase[] = [
  {
    name: 'mongodb E11000 (real MongoServerError)',
    family: 'mongo',
    make: () =>
      new MongoServerError({
        message: `E11000 duplicate key error collection: shop.users_private index: email_1 dup key: { email: "a@b.c" } ${SECRET}`,
        code: 11000,
        keyValue: { email: 'a@b.c' },
      }),
    category: 'conflict',
    forbidden: [SECRET, 'E11000', 'users_private', 'a@b.c'],
  },
  {
    name: 'mongodb auth failed (real MongoServerError 18)',
    family: 'mongo',
    make: () => new MongoServerError({ message: `Authentication failed. user=app pwd=${SECRET}`, code: 18 }),
    category: 'internal',
    forbidden: [SECRET, 'Authentication failed'],
  },
  {
    name: 'mongodb server selection',
    family: 'mongo',
    make: () => classInstance('MongoServerSelectionError', `connect ECONNREFUSED mongo-0.internal:27017 ${SECRET}`),
    category: 'unavailable',
    forbidden: [SECRET, 'mongo-0.internal'],
  },
  {
    name: 'mongoose ValidationError on a server-built document',
    family: 'mongoose',
    make: () => new mongoose.Error.ValidationError(),
    category: 'internal',
    forbidden: ['Validation failed'],
  },
  {
    name: 'mongoose CastError on a stored value',
    family: 'mongoose',
    make: () => new mongoose.Error.CastError('ObjectId', `internal-ref-${SECRET}`, 'ledgerRef'),
    category: 'internal',
    forbidden: [SECRET, 'ledgerRef', 'ObjectId'],
  },
  {
    name: 'mongoose CastError on the client id',
    family: 'mongoose',
    make: () => new mongoose.Error.CastError('ObjectId', 'zzz', 'orderId'),
    category: 'validation',
    forbidden: ['Cast to ObjectId', 'zzz'],
    input: { orderId: 'zzz' },
  },
  {
    name: 'ioredis NOAUTH',
    family: 'redis',
    make: () =>
      classInstance('ReplyError', `NOAUTH Authentication required. ${SECRET}`, {
        command: { name: 'get', args: ['session:42'] },
      }),
    category: 'internal',
    forbidden: [SECRET, 'NOAUTH', 'session:42'],
  },
  {
    name: 'redis connection refused',
    family: 'redis',
    make: () =>
      errorLike('Error', `connect ECONNREFUSED 10.9.8.7:6379 redis://:${SECRET}@cache.internal`, {
        code: 'ECONNREFUSED',
        errno: -111,
        syscall: 'connect',
        address: '10.9.8.7',
        port: 6379,
      }),
    category: 'unavailable',
    forbidden: [SECRET, '10.9.8.7', 'cache.internal'],
  },
];

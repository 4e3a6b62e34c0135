/** Calls this service made: Node errno, undici/fetch, axios, got, AWS SDK v3, gRPC downstreams. */
import { ServiceException } from '@smithy/smithy-client';
import { AxiosError, AxiosHeaders } from 'axios';
import { type CorpusCase, classInstance, errorLike, SECRET } from './types.js';

const CRED_URL = `https://svc:${SECRET}@payments.internal.example:8443/v1/charges?api_key=${SECRET}`;

function errno(code: string, message: string, fields: Record<string, unknown> = {}): Error {
  return errorLike('Error', message, { code, errno: -1, syscall: 'connect', ...fields });
}

/** A metadata object shaped like grpc-js's `Metadata` (a `get` that returns arrays). */
function metadataLike(entries: Record<string, string>) {
  return {
    get: (key: string) => (key in entries ? [entries[key]] : []),
    getMap: () => ({ ...entries }),
  };
}

/** Every network/upstream case. */
export const NETWORK_CASES: readonly CorpusCase[] = [
  ...(
    [
      ['ECONNREFUSED', 'unavailable', 'connect ECONNREFUSED 10.20.30.40:5432'],
      ['ETIMEDOUT', 'timeout', 'connect ETIMEDOUT 10.20.30.41:443'],
      ['ENOTFOUND', 'unavailable', 'getaddrinfo ENOTFOUND ledger.svc.cluster.local'],
      ['ECONNRESET', 'bad_gateway', 'read ECONNRESET on socket to 10.20.30.42'],
      ['EPIPE', 'bad_gateway', 'write EPIPE to 10.20.30.43'],
      ['EAI_AGAIN', 'unavailable', 'getaddrinfo EAI_AGAIN vault.internal'],
      ['EHOSTUNREACH', 'unavailable', 'connect EHOSTUNREACH 10.20.30.44:6379'],
      ['EMFILE', 'unavailable', 'EMFILE: too many open files, open /etc/app/secrets.json'],
      ['ENOSPC', 'unavailable', "ENOSPC: no space left on device, write '/var/lib/app/cache'"],
    ] as const
  ).map(([code, category, message]) => ({
    name: `errno ${code}`,
    family: 'errno',
    make: () => errno(code, `${message} ${SECRET}`, { address: '10.20.30.40', path: '/etc/app/secrets.json' }),
    category,
    forbidden: [SECRET, message.slice(0, 20), '10.20.30', '/etc/app'],
  })),
  {
    name: 'errno ENOENT with a path',
    family: 'errno',
    make: () =>
      errorLike('Error', `ENOENT: no such file or directory, open '/srv/app/config/${SECRET}.pem'`, {
        code: 'ENOENT',
        errno: -2,
        syscall: 'open',
        path: `/srv/app/config/${SECRET}.pem`,
      }),
    category: 'internal',
    forbidden: [SECRET, '/srv/app', 'ENOENT'],
  },
  {
    name: 'errno EACCES with a path',
    family: 'errno',
    make: () =>
      errorLike('Error', "EACCES: permission denied, open '/root/.aws/credentials'", {
        code: 'EACCES',
        errno: -13,
        syscall: 'open',
        path: '/root/.aws/credentials',
      }),
    category: 'internal',
    forbidden: ['/root/.aws', 'EACCES'],
  },
  {
    name: 'fetch failed (undici, cause ECONNREFUSED)',
    family: 'undici',
    make: () =>
      new TypeError('fetch failed', { cause: errno('ECONNREFUSED', `connect ECONNREFUSED 10.5.5.5:8443 ${CRED_URL}`) }),
    category: 'unavailable',
    forbidden: [SECRET, '10.5.5.5', 'payments.internal'],
  },
  {
    name: 'undici headers timeout',
    family: 'undici',
    make: () =>
      classInstance('HeadersTimeoutError', `Headers Timeout Error ${CRED_URL}`, { code: 'UND_ERR_HEADERS_TIMEOUT' }),
    category: 'timeout',
    forbidden: [SECRET, 'payments.internal'],
  },
  {
    name: 'AbortSignal.timeout',
    family: 'undici',
    make: () => new DOMException(`The operation was aborted due to timeout ${SECRET}`, 'TimeoutError'),
    category: 'timeout',
    forbidden: [SECRET],
  },
  {
    name: 'AbortError (client went away)',
    family: 'undici',
    make: () => new DOMException('This operation was aborted', 'AbortError'),
    category: 'cancelled',
    liveHttpCategory: 'internal',
    forbidden: ['This operation was aborted'],
  },
  ...([401, 403, 404, 429, 500, 502, 503, 504] as const).map((status) => ({
    name: `axios upstream ${status}`,
    family: 'axios',
    make: () => {
      const config = { url: CRED_URL, headers: new AxiosHeaders({ Authorization: `Bearer ${SECRET}` }) };
      return new AxiosError(
        `Request failed with status code ${status} ${CRED_URL}`,
        'ERR_BAD_RESPONSE',
        config as never,
        {},
        {
          status,
          statusText: 'upstream',
          headers: {},
          config: config as never,
          data: { error: `db password ${SECRET}` },
        },
      );
    },
    category: (
      {
        401: 'internal',
        403: 'internal',
        404: 'internal',
        429: 'unavailable',
        500: 'bad_gateway',
        502: 'bad_gateway',
        503: 'unavailable',
        504: 'timeout',
      } as const
    )[status],
    forbidden: [SECRET, 'payments.internal', 'Request failed'],
  })),
  {
    name: 'axios timeout (no response)',
    family: 'axios',
    make: () => new AxiosError(`timeout of 5000ms exceeded ${CRED_URL}`, 'ECONNABORTED', { url: CRED_URL } as never),
    category: 'timeout',
    forbidden: [SECRET, 'payments.internal'],
  },
  {
    name: 'got HTTPError 503',
    family: 'got',
    make: () =>
      errorLike('HTTPError', `Response code 503 (Service Unavailable) ${CRED_URL}`, {
        code: 'ERR_NON_2XX_3XX_RESPONSE',
        response: { statusCode: 503, body: SECRET },
        options: { url: CRED_URL },
      }),
    category: 'unavailable',
    forbidden: [SECRET, 'payments.internal'],
  },
  {
    name: 'got RequestError ECONNREFUSED',
    family: 'got',
    make: () => errorLike('RequestError', `connect ECONNREFUSED 10.6.6.6:443 ${CRED_URL}`, { code: 'ECONNREFUSED' }),
    category: 'unavailable',
    forbidden: [SECRET, '10.6.6.6'],
  },
  ...(
    [
      ['AccessDenied', 'client', 403, 'internal'],
      ['ThrottlingException', 'client', 400, 'unavailable'],
      ['NoSuchKey', 'client', 404, 'not_found'],
      ['ConditionalCheckFailedException', 'client', 400, 'conflict'],
      ['InternalError', 'server', 500, 'bad_gateway'],
      ['ServiceUnavailable', 'server', 503, 'unavailable'],
      ['ExpiredTokenException', 'client', 400, 'internal'],
    ] as const
  ).map(([name, fault, httpStatusCode, category]) => ({
    name: `aws ${name}`,
    family: 'aws',
    make: () =>
      new ServiceException({
        name,
        $fault: fault,
        message: `${name}: arn:aws:s3:::prod-private-bucket/keys/${SECRET} AKIAIOSFODNN7EXAMPLE`,
        $metadata: { httpStatusCode, requestId: 'aws-req-1', attempts: 1, totalRetryDelay: 0 },
      }),
    category,
    forbidden: [SECRET, 'arn:aws', 'AKIAIOSFODNN7EXAMPLE', 'prod-private-bucket'],
  })),
  ...(
    [
      [14, 'unavailable'],
      [4, 'timeout'],
      [13, 'bad_gateway'],
      [7, 'internal'],
      [16, 'internal'],
      [5, 'not_found'],
      [3, 'validation'],
      [2, 'bad_gateway'],
    ] as const
  ).map(([code, category]) => ({
    name: `grpc downstream ServiceError ${code}`,
    family: 'grpc-downstream',
    make: () =>
      Object.assign(new Error(`${code} CODE: ledger.internal:50051 said ${SECRET}`), {
        code,
        details: `ledger.internal:50051 said ${SECRET}`,
        metadata: metadataLike({ 'x-internal-host': 'ledger-7f9c', 'x-debug': SECRET }),
      }),
    category,
    forbidden: [SECRET, 'ledger.internal', 'ledger-7f9c'],
  })),
];

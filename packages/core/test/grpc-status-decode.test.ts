/**
 * Reading a received `google.rpc.Status`: the upstream's correlation id is the first one that is
 * a UUID, whether it comes in ErrorInfo's metadata or in RequestInfo, so an upstream (or a hop
 * between) that puts something else first does not hide the id it also sent.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { anyPack } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { ErrorInfoSchema, RequestInfoSchema } from '../src/grpc/gen/google/rpc/error_details_pb.js';
import { StatusSchema } from '../src/grpc/gen/google/rpc/status_pb.js';
import { decodeStatusDetails } from './support/source.js';

const ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const OTHER = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

function statusWith(errorInfoId: string | undefined, requestInfoId: string | undefined): Uint8Array {
  const details = [];
  if (errorInfoId !== undefined) {
    const metadata = { requestId: errorInfoId, limit: '5' };
    details.push(anyPack(ErrorInfoSchema, create(ErrorInfoSchema, { reason: 'CONFLICT', domain: 'd', metadata })));
  }
  if (requestInfoId !== undefined) {
    details.push(anyPack(RequestInfoSchema, create(RequestInfoSchema, { requestId: requestInfoId })));
  }
  return toBinary(StatusSchema, create(StatusSchema, { code: 6, message: 'Conflict.', details }));
}

describe('the upstream id of a received status', () => {
  it('skips an ErrorInfo id that is not a UUID for the RequestInfo one', () => {
    expect(decodeStatusDetails(statusWith('not-a-uuid', ID))?.requestId).toBe(ID);
    expect(decodeStatusDetails(statusWith('', ID))?.requestId).toBe(ID);
    expect(decodeStatusDetails(statusWith(`${ID}\n`, ID))?.requestId).toBe(ID);
  });

  it('keeps the first UUID when both are UUIDs, and the first value when neither is', () => {
    expect(decodeStatusDetails(statusWith(ID, OTHER))?.requestId).toBe(ID);
    expect(decodeStatusDetails(statusWith('x', 'y'))?.requestId).toBe('x');
    expect(decodeStatusDetails(statusWith(undefined, ID))?.requestId).toBe(ID);
  });

  it('keeps the ErrorInfo parameters without the id', () => {
    expect(decodeStatusDetails(statusWith('not-a-uuid', ID))?.params).toEqual({ limit: '5' });
  });
});

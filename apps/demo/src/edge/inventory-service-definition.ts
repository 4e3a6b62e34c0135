/** `demo.Inventory`, shared by the inventory service and its caller: JSON messages, no code generation. */
import type { Metadata, ServiceDefinition } from '@grpc/grpc-js';

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString('utf8')) as unknown,
};

/** `demo.Inventory`: Reserve({ reference, quantity }). */
export const InventoryService: ServiceDefinition = {
  reserve: {
    path: '/demo.Inventory/Reserve',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};

/** Reads W3C trace context from grpc-js metadata. */
export const metadataGetter = {
  keys: (carrier: Metadata) => Object.keys(carrier.getMap()),
  get: (carrier: Metadata, key: string) => {
    const values = carrier.get(key).map(String);
    return values.length === 0 ? undefined : values;
  },
};

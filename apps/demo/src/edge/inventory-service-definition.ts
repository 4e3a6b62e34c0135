/** `demo.Inventory`, shared by the inventory service and its caller: JSON messages, no code generation. */
import type { Metadata, ServiceDefinition } from '@grpc/grpc-js';
import { unary } from '../grpc-json.js';

/** `demo.Inventory`: Reserve({ reference, quantity }). */
export const InventoryService: ServiceDefinition = {
  reserve: unary('/demo.Inventory/Reserve'),
};

/** Reads W3C trace context from grpc-js metadata. */
export const metadataGetter = {
  keys: (carrier: Metadata) => Object.keys(carrier.getMap()),
  get: (carrier: Metadata, key: string) => {
    const values = carrier.get(key).map(String);
    return values.length === 0 ? undefined : values;
  },
};

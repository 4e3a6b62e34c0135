/**
 * `npm run grpc-call --workspace=@faultline/demo -- METHOD JSON [PORT]`: calls the demo's gRPC
 * service (`demo.Orders`, or `demo.Inventory` for `reserve`: the edge demo's, through its gateway)
 * and prints the status, details and decoded trailers a client receives, or the message and the
 * `x-request-id` of the response headers (a gateway's id).
 */

import { DETAILS_KEY, REQUEST_ID_KEY } from '@faultline/grpc';
import { decodeStatusDetails } from '@faultline/grpc/rich-status';
import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { InventoryService } from './edge/inventory-service-definition.js';
import { OrdersService } from './grpc-service.js';

const [method = 'getOrder', body = '{"id":999}', port = String(Number(process.env.PORT ?? 3000) + 2)] =
  process.argv.slice(2);
const service = Object.hasOwn(InventoryService, method) ? InventoryService : OrdersService;
const Client = makeGenericClientConstructor(service, 'Demo');
const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure()) as unknown as Record<
  string,
  (
    request: unknown,
    metadata: Metadata,
    options: object,
    callback?: (error: ServiceError | null, value: unknown) => void,
  ) => unknown
> & { close(): void };

function show(error: ServiceError): void {
  const bin = error.metadata.get(DETAILS_KEY)[0];
  console.log(
    JSON.stringify(
      {
        code: error.code,
        details: error.details,
        [REQUEST_ID_KEY]: error.metadata.get(REQUEST_ID_KEY)[0],
        [DETAILS_KEY]: bin instanceof Buffer ? decodeStatusDetails(bin) : undefined,
      },
      null,
      2,
    ),
  );
}

const call = Object.hasOwn(service, method) ? client[method] : undefined;
if (call === undefined) {
  const methods = [...Object.keys(OrdersService), ...Object.keys(InventoryService)];
  console.error(`unknown method ${method}; one of ${methods.join(', ')}`);
  process.exit(2);
}
const request = JSON.parse(body) as unknown;
if (service[method]?.responseStream === true) {
  const stream = call.call(client, request, new Metadata(), {}) as NodeJS.EventEmitter;
  stream.on('data', (message: unknown) => console.log('message', JSON.stringify(message)));
  stream.on('error', (error: ServiceError) => {
    show(error);
    client.close();
  });
} else {
  let id: unknown;
  const unary = call.call(
    client,
    request,
    new Metadata(),
    { deadline: Date.now() + 5000 },
    (error: ServiceError | null, value: unknown) => {
      if (error) show(error);
      else console.log('ok', JSON.stringify(value), ...(id === undefined ? [] : [`${REQUEST_ID_KEY}: ${id}`]));
      client.close();
    },
  ) as NodeJS.EventEmitter;
  unary.on('metadata', (headers: Metadata) => {
    id = headers.get(REQUEST_ID_KEY)[0];
  });
}

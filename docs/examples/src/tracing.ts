// node --import ./dist/tracing.js dist/server.js: the SDK starts before the server's modules load.
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { ConsoleSpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';

const provider = new NodeTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())], // production: BatchSpanProcessor + OTLP
});
provider.register(); // global tracer provider, AsyncLocalStorage context, W3C traceparent
registerInstrumentations({ instrumentations: [new HttpInstrumentation(), new GrpcInstrumentation()] });
// Instrumentations patch require(); an ESM `import` of grpc-js is not seen. Requiring it once
// here patches the module that every later import shares.
createRequire(import.meta.url)('@grpc/grpc-js');

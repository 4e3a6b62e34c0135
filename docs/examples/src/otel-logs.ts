// Exception log records through the OpenTelemetry logs API, exported to a collector (OTLP/HTTP).
import { logs } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';

const provider = new LoggerProvider({
  processors: [
    new BatchLogRecordProcessor({ exporter: new OTLPLogExporter({ url: 'http://127.0.0.1:4318/v1/logs' }) }),
  ],
});
logs.setGlobalLoggerProvider(provider);
process.once('SIGTERM', () => void provider.shutdown());

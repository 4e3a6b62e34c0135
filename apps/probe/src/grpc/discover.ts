/**
 * Which gRPC methods to probe: the ones named on the command line, the ones a `.proto` file
 * declares (@grpc/proto-loader), and the ones the server lists through server reflection
 * (grpc.reflection v1, then v1alpha), decoded as FileDescriptorProtos with @bufbuild/protobuf.
 */
import { createRequire } from 'node:module';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import { loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { CHANNEL_OPTIONS, probeCredentials } from './call.js';

const require = createRequire(import.meta.url);

/** `/pkg.Service/Method` paths of every method a package definition declares. */
function methodPaths(definition: PackageDefinition): string[] {
  const paths: string[] = [];
  for (const value of Object.values(definition)) {
    if (typeof value !== 'object' || value === null || 'format' in value) continue;
    for (const method of Object.values(value as Record<string, { path?: unknown }>)) {
      if (typeof method?.path === 'string') paths.push(method.path);
    }
  }
  return paths;
}

/** Methods declared in `protoFile` (includes resolved from its directory). */
export function methodsFromProto(protoFile: string): string[] {
  return methodPaths(loadSync(protoFile, { keepCase: true, defaults: false }));
}

interface ReflectionStream {
  write(request: object): void;
  end(): void;
  on(event: 'data', listener: (response: Record<string, unknown>) => void): void;
  on(event: 'error' | 'end', listener: (arg?: unknown) => void): void;
  cancel(): void;
}

/** Asks one reflection version; resolves the method paths, or undefined when it is not served. */
function reflect(
  address: string,
  tls: boolean,
  version: 'v1' | 'v1alpha',
  limits: { timeoutMs: number; signal: AbortSignal },
): Promise<string[] | undefined> {
  if (limits.signal.aborted) return Promise.resolve(undefined);
  const proto = require.resolve(`@grpc/reflection/build/proto/grpc/reflection/${version}/reflection.proto`);
  const loaded = loadPackageDefinition(
    loadSync(proto, { keepCase: true, longs: String, bytes: Buffer }),
  ) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: ServiceClientConstructor }> };
  };
  const Ctor = loaded.grpc.reflection[version]?.ServerReflection;
  if (Ctor === undefined) return Promise.resolve(undefined);
  const client = new Ctor(address, probeCredentials(tls), CHANNEL_OPTIONS);
  return new Promise((resolve) => {
    const paths = new Set<string>();
    let pending = 0;
    let listed = false;
    let settled = false;
    const stream = (client as unknown as { ServerReflectionInfo(o: object): ReflectionStream }).ServerReflectionInfo({
      deadline: Date.now() + limits.timeoutMs,
    });
    const finish = (result: string[] | undefined) => {
      if (settled) return;
      settled = true;
      limits.signal.removeEventListener('abort', onAbort);
      stream.cancel();
      client.close();
      resolve(result);
    };
    const onAbort = () => finish(listed ? [...paths] : undefined);
    limits.signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', (response) => {
      const list = response.list_services_response as { service?: { name: string }[] } | undefined;
      if (list !== undefined) {
        listed = true;
        for (const service of (list.service ?? []).slice(0, 50)) {
          if (service.name.startsWith('grpc.reflection.')) continue;
          pending += 1;
          stream.write({ file_containing_symbol: service.name });
        }
        if (pending === 0) finish([]);
        return;
      }
      const files = response.file_descriptor_response as { file_descriptor_proto?: Buffer[] } | undefined;
      for (const bytes of (files?.file_descriptor_proto ?? []).slice(0, 100)) {
        let file: ReturnType<typeof fromBinary<typeof FileDescriptorProtoSchema>>;
        try {
          file = fromBinary(FileDescriptorProtoSchema, bytes);
        } catch {
          continue; // an undecodable descriptor lists nothing
        }
        for (const service of file.service) {
          for (const method of service.method)
            paths.add(`/${file.package === '' ? '' : `${file.package}.`}${service.name}/${method.name}`);
        }
      }
      pending -= 1;
      if (listed && pending <= 0) finish([...paths]);
    });
    stream.on('error', () => finish(listed ? [...paths] : undefined));
    stream.on('end', () => finish(listed ? [...paths] : undefined));
    stream.write({ list_services: '' });
  });
}

/** Methods the server lists through reflection (v1, then v1alpha); undefined when it serves neither. */
export async function methodsFromReflection(
  address: string,
  tls: boolean,
  limits: { timeoutMs: number; signal: AbortSignal },
): Promise<string[] | undefined> {
  for (const version of ['v1', 'v1alpha'] as const) {
    try {
      const found = await reflect(address, tls, version, limits);
      if (found !== undefined) return found;
    } catch {
      // this version is not served
    }
  }
  return undefined;
}

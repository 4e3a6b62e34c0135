/**
 * Where a server's heap allocation goes (issue 22 item 2): V8's sampling heap profiler, started
 * from inside the server through `node:inspector`, keeping the samples of objects the GC has
 * already collected too (so it counts what was allocated, not what is still alive). The result is
 * the sampled bytes per allocation site (function, file and line), largest first.
 */
import { Session } from 'node:inspector';

interface ProfileNode {
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly ProfileNode[];
}

/** Sampled bytes of one allocation site. */
export interface SiteBytes {
  readonly site: string;
  readonly bytes: number;
}

let session: Session | undefined;

function post(method: string, params: object = {}): Promise<unknown> {
  return new Promise((resolve, reject) =>
    session?.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

/** Starts sampling every `intervalBytes` on average (default ALLOC_SAMPLE_BYTES, else 2048; collected objects included). */
export async function startSampling(intervalBytes = Number(process.env.ALLOC_SAMPLE_BYTES ?? 2048)): Promise<void> {
  session ??= new Session();
  session.connect();
  await post('HeapProfiler.startSampling', {
    samplingInterval: intervalBytes,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
}

/** Stops sampling; returns the sampled bytes per site (top `limit`) and their total. */
export async function stopSampling(limit = 40): Promise<{ total: number; sites: SiteBytes[] }> {
  const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: ProfileNode } };
  session?.disconnect();
  const bySite = new Map<string, number>();
  const walk = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\/(node_modules|packages|apps)\//, '$1/');
    const site = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child);
  };
  walk(profile.head);
  const sites = [...bySite].map(([site, bytes]) => ({ site, bytes })).sort((a, b) => b.bytes - a.bytes);
  return { total: sites.reduce((sum, s) => sum + s.bytes, 0), sites: sites.slice(0, limit) };
}

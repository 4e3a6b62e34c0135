/**
 * A clean API that is not Faultline's, whose data holds what the hex, byte-list, pod-name and
 * runtime signatures may mistake for a leak: hashes and hex ids (lower and upper case, after `0x`,
 * a certificate fingerprint in pairs), a PNG and an SVG icon in base64, lists of numbers, Buffers of
 * binary bytes and of plain text, release names and slugs with dashes (`release-2024-01`), public
 * domains whose labels are internal names elsewhere (`api.consul.io`, `www.local.com`), prose
 * naming languages, files and errors, and names like a Kubernetes pod's or a container's (region names,
 * image tags, short codes, mirrors, digests) and escapes that hide nothing; presigned download URLs, a
 * product domain `docs.internal-tools.dev`, SKUs that start like a token's prefix, `Server: nginx`, a public
 * `Server-Timing`, Google's documented resource names and a GraphQL error without suggestions.
 * Every answer is 200 with that data, or problem JSON.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { deflateSync } from 'node:zlib';
import { portOf } from './planted.js';

/** The paths it serves (GET): the probe is told them. */
export const PUBLIC_DATA_PATHS = ['/catalog', '/releases'];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
/** A PNG's signature and a compressed chunk: binary, as an image is. */
const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), deflateSync(Buffer.alloc(256, 7))]);
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8"/></svg>';

const CATALOG = JSON.stringify({
  items: [
    {
      id: sha256('a').slice(0, 32),
      sku: 'sku-4f9a2c',
      etag: sha256('b').toUpperCase(),
      commit: sha256('c').slice(0, 40),
    },
    { id: `0x${sha256('d')}`, contract: '0x742d35Cc6634C0532925a3b844Bc454e4438f44e', mac: 'aa:bb:cc:dd:ee:ff' },
  ],
  fingerprint: sha256('e')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1:'),
  icon: `data:image/png;base64,${PNG.toString('base64')}`,
  logo: `data:image/svg+xml;base64,${Buffer.from(SVG).toString('base64')}`,
  // What a file API hands out: presigned download URLs (an S3 key id, an Azure SAS signature), and a
  // product whose domain starts with a word of an internal suffix.
  downloads: [
    'https://shop.s3.amazonaws.com/a.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    'https://shop.blob.core.windows.net/files/a.pdf?sv=2021-06-08&sr=b&sp=r&se=2030-01-01T00%3A00%3A00Z&sig=Xk2mP9qR4sT7vW1yZ3bC5dF8gH0jK6lN2oQ4rS8uV0w%3D',
  ],
  docs: 'https://docs.internal-tools.dev/guide',
  skus: ['sk-large-blue-shirt-2024', 'sk-proj-roadmap', 'SG.Series.X200', 'hvs.north'],
  scores: [12, 15, 200, 255, 3, 0, 99, 101, 7, 18, 250, 1, 4, 64, 128, 32, 16],
  thumbnail: { type: 'Buffer', data: [...PNG.subarray(0, 24)] },
  greeting: { type: 'Buffer', data: [...Buffer.from('Welcome to the shop, enjoy your stay!')] },
});

const RELEASES = JSON.stringify({
  releases: ['release-2024-01', 'release-2024-01-15', 'v2-beta-rc1', 'build-20240115-1432', 'hotfix-7-x2k'],
  slugs: ['check-in-order', 'state-of-the-art', 'how-to-bake-bread-7k2m9p', 'my-cool-project-2024'],
  links: [
    'https://api.consul.io/v1/docs',
    'https://www.local.com/deals',
    'https://shop.lan.co.uk/',
    'https://developer.hashicorp.com/consul',
  ],
  // Names a Kubernetes StatefulSet, DaemonSet or container id would have, in public data: regions, image
  // tags, short codes, mirrors, prose about brokers, digests, an escaped emoji.
  regions: ['us-east-1', 'eu-west-2', 'ap-southeast-2'],
  images: ['postgres-16', 'redis-7.2', 'redis-7-alpine', 'node-20-slim', 'kafka-3.6', 'orders-db-2024'],
  codes: ['item-0', 'page-1', 'part-3.part', 'order-x7k2p', 'ref-7k2mp', 'user-5d7c2'],
  mirrors: ['https://cdn-1.cdn.example.com/', 'https://mirror-2.mirror.example.org/'],
  brokers: 'Three brokers (kafka-0, kafka-1, kafka-2) and a db-0 tier; worker-3 and node-1 are free.',
  digest: `sha256:${sha256('f')}`,
  shipping: 'container MSCU1234567 and container 123456789012 left the port',
  emoji: 'say \\u{1F600} or \\101\\102 in your code',
  about:
    'Our apps are written in Swift, Dart, Elixir and Kotlin. Fatal error: none so far. See lib/README.md and the stack traceback guide.',
  // Google's documented resource names (placeholders, a public topic) and a GraphQL error that suggests nothing.
  resources: ['projects/PROJECT_ID/secrets/SECRET_ID/versions/latest', 'projects/my-project/topics/orders'],
  graphql: { errors: [{ message: 'Cannot query field "usr" on type "Query".' }] },
});

/** A web server's bare name (what `server_tokens off` leaves), an ETag of nginx's shape and a public Server-Timing. */
const fields = (type = 'application/json') => ({
  server: 'nginx',
  'server-timing': 'cache;desc="hit", total;dur=12, db;dur=53, db-query;dur=4',
  etag: '"65a1f0c2-2d"',
  'content-type': type,
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-request-id': crypto.randomUUID(),
});

/** The API: its data on GET, problem JSON for anything else. */
export async function cleanPublicData(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('error', () => undefined);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const data = path === '/catalog' ? CATALOG : path === '/releases' ? RELEASES : undefined;
    if (req.method === 'GET' && data !== undefined) {
      res.writeHead(200, fields()).end(data);
      return;
    }
    const status = data === undefined ? 404 : 400;
    res.writeHead(status, fields('application/problem+json'));
    res.end(JSON.stringify({ type: 'about:blank', title: 'Request failed', status, detail: RELEASES }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Signatures of what an answer exposes about where and what the server is: file paths, system
 * error codes with their detail, private and internal addresses (Kubernetes pods and containers too:
 * see {@link WORKLOAD_SIGNATURES}), cloud resource names, versions
 * and product names.
 */
import type { Signature } from './signatures.js';
import { WORKLOAD_SIGNATURES } from './signatures-workloads.js';

/** System error codes a failed call names (Node's `error.code`). */
const ERRNO =
  'ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EACCES|ENOENT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ECONNABORTED|EPIPE|EPERM|EISDIR|ENOTDIR|EEXIST|ENOTEMPTY|EMFILE|EROFS|EADDRINUSE|EAI_AGAIN';

/** The file-system calls Node names in its error message, before the path (`open '/etc/x'`). */
const FS_CALLS =
  'open|close|scandir|stat|lstat|fstat|mkdir|rmdir|unlink|rename|readlink|access|chmod|chown|copyfile|read|write|watch|symlink|link|opendir|realpath|utime|mkdtemp|rm|cp';

/** Paths, hosts, versions and products, checked after the stacks, drivers and runtime texts. */
export const EXPOSURE_SIGNATURES: readonly Signature[] = [
  {
    rule: 'leak/path',
    severity: 'medium',
    description: 'server file path',
    pattern:
      /(?:\/(?:srv|var\/www|var\/task|usr\/src\/app|usr\/(?:local|lib|share))\/[\w.-]+\/|node_modules\/|(?:site|dist)-packages\/|\b[A-Za-z]:\\(?:Users|inetpub|Program Files|ProgramData|Windows)\\|\b[A-Za-z]:(?:\\{1,2}|\/)(?:[\w .$@-]+(?:\\{1,2}|\/))+[\w.$@-]+\.\w{1,5}\b|\bfile:\/\/\/?[\w.~%-]*\/[\w.~%-]+)/,
  },
  {
    rule: 'leak/path',
    severity: 'medium',
    description: 'server file path',
    // Under a directory a URL path may start with too (`/app/orders/12`, `/home/featured/`, `/opt/in/`): a
    // file of code, configuration or data (`/app/src/db.js`, `/home/deploy/.env`), not after a host or
    // in an HTML link (`https://cdn.example.com/app/main.js`, `src="/app/main.js"`).
    pattern:
      /(?<![\w.~-]|(?:src|href|action)=["']?)\/(?:home|app|opt|root|workspace)(?:\/[\w.@-]{1,128}){0,16}\/[\w.@-]{0,128}\.(?:[cm]?js|ts|py|pyc|rb|php|java|class|kt|go|cs|rs|exs?|json|ya?ml|env|conf|cfg|ini|log|properties|toml|pem|key|sqlite3?|db|so|dll|jar|war|sh)\b/,
  },
  {
    rule: 'leak/path',
    severity: 'medium',
    description: 'network share path',
    // A UNC path names a file server and a share: `\\fs01\share$\config.xml`.
    pattern: /(?<![\w\\])\\\\[A-Za-z][\w.-]{0,63}\\[\w$.-]{1,128}\\[\w$. -]{1,128}/,
  },
  {
    rule: 'leak/path',
    severity: 'medium',
    description: 'server directory (working directory or module path)',
    // A directory without a file named for what it is (`"cwd":"/home/node/app"`, `"__dirname":"/app/src"`,
    // `"execPath":"/usr/bin/node"`): a URL path (`"path":"/home/featured"`) is under another key.
    pattern:
      /"(?:cwd|__dirname|__filename|execPath|exec_path|workdir|working_?dir|workingDirectory|rootDir|root_dir|basedir|baseDir|homedir|home_dir|appRoot|app_root|projectRoot)"\s{0,4}:\s{0,4}"(?:[A-Za-z]:\\{1,2}|\/)[\w.@ -]{1,128}/,
  },
  {
    rule: 'leak/path',
    severity: 'medium',
    description: 'server file path',
    // A system directory at the start of a path (`open /etc/app/config.yaml`, a cookie's `Path=/var/www/shop`),
    // not inside a URL path (`/api/etc/x`), nor the probe's own traversal echoed back (`../etc/passwd`, `/etc/passwd`).
    pattern: /(?<![\w./-])\/(?:etc\/(?!passwd\b)|var\/|usr\/|root\/|srv\/|tmp\/|proc\/)[\w.-]{2,128}/,
  },
  {
    rule: 'leak/errno',
    severity: 'medium',
    description: 'system error code with detail',
    // A code with the address it failed on (`connect ECONNREFUSED 10.0.0.7:5432`, `dial tcp: lookup db on
    // 127.0.0.11:53`); Node's file-system error up to its call (`EACCES: permission denied, open '…'`,
    // a relative path too), the path itself left to the path signature, so both are reported; a failed
    // listen or spawn; a system error as JSON writes it (`"syscall":"open"`); Python's `[Errno 2] …`.
    pattern: new RegExp(
      [
        String.raw`\b(?:${ERRNO})\b[^"\n]{0,40}?(?:\d+\.\d+\.\d+\.\d+|\b[\w.-]+:\d{2,5}\b)`,
        String.raw`\b(?:${ERRNO}|E[A-Z]{3,14}): [a-z][a-z ,-]{2,80}?, (?:${FS_CALLS}) (?=['"]?[^\s'"])`,
        String.raw`\blisten E(?:ADDRINUSE|ACCES|ADDRNOTAVAIL)\b[^"\n]{0,40}?:\d{2,5}\b|\bspawn [^\s'"]{1,256} E(?:NOENT|ACCES)\b`,
        String.raw`"syscall"\s{0,4}:\s{0,4}"[a-z_]{2,32}"|\[Errno -?\d{1,5}\] [A-Z]`,
        String.raw`\bdial (?:tcp|udp|unix)[46]?(?: [\w.:[\]%-]+)?: (?:lookup |connect: |i\/o timeout)|\blookup [\w.-]+ on [\d.:[\]a-f]+: |\bgetaddrinfo (?:ENOTFOUND|EAI_AGAIN|EAI_FAIL) [\w.-]{1,253}`,
      ].join('|'),
    ),
  },
  {
    rule: 'leak/env',
    severity: 'medium',
    description: 'environment variable with its value',
    // An environment dump's variables that only a process's own environment holds: the runtime's and the
    // platform's (`NODE_ENV`, `npm_package_version`, `KUBERNETES_SERVICE_HOST`, `AWS_LAMBDA_FUNCTION_NAME`,
    // `ASPNETCORE_ENVIRONMENT`, `DJANGO_SETTINGS_MODULE`), with a value.
    pattern:
      /\b(?:NODE_ENV|NODE_OPTIONS|NODE_VERSION|YARN_VERSION|npm_(?:package|config|lifecycle|node)_\w{1,64}|KUBERNETES_(?:SERVICE_HOST|SERVICE_PORT|PORT)\w{0,64}|AWS_LAMBDA_\w{1,64}|AWS_EXECUTION_ENV|LAMBDA_TASK_ROOT|ECS_CONTAINER_METADATA_URI\w{0,8}|ASPNETCORE_\w{1,64}|DOTNET_\w{1,64}|DJANGO_SETTINGS_MODULE|FLASK_(?:APP|ENV)|RAILS_ENV|RACK_ENV|LD_LIBRARY_PATH|PYTHONPATH|VIRTUAL_ENV|JAVA_HOME|GOPATH|HOSTNAME)["']?\s{0,4}[=:]\s{0,4}["']?(?!["',}\s])[^\s"',{}]{1,256}/,
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'private or internal address',
    // Private ranges (and 100.64/10, shared by carrier NAT, Tailscale and some clouds' pods); internal
    // suffixes (`.internal`, `.svc.cluster.local`) where they end a label (not a product's domain:
    // `docs.internal-tools.dev`), of which `.local`, `.consul`, `.corp` and `.lan` only where they end the
    // name (`api.consul.io`, `www.local.com` are public).
    pattern:
      /\b(?:10\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])|192\.168|169\.254|100\.(?:6[4-9]|[7-9]\d|1[01]\d|12[0-7]))\.\d{1,3}\.\d{1,3}\b|(?<![\w-])[\w-]{1,63}\.(?:internal|localdomain|svc\.cluster\.local|intranet|home\.arpa)(?![\w-])|(?<![\w-])[\w-]{1,63}\.(?:local|consul|corp|lan)\b(?![.-][\w-])|\.(?:rds|cache|redshift|es)\.amazonaws\.com\b|\.(?:database|redis\.cache|servicebus)\.windows\.net\b|(?<![\w-])[\w-]{1,63}\.[\w-]{1,63}\.svc\b(?![.-][\w-])|\b(?:https?|grpcs?|wss?|redis|amqps?|postgres(?:ql)?|mysql|mongodb):\/\/(?!localhost\b)[a-z][\w-]*:\d{2,5}\b/,
  },
  ...WORKLOAD_SIGNATURES,
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'private IPv6 address or cloud host name',
    // fc00::/7 (unique local, `fd12:3456::1`), fe80::/10 (link local): with its `::` or all eight groups
    // (`fc12:34:56` is no address); and an EC2 host name (`ip-10-0-1-23`).
    pattern:
      /(?<![\w:.])(?=[0-9a-fA-F]{1,4}(?::[0-9a-fA-F]{1,4}){0,6}::|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4})f(?:[cdCD][0-9a-fA-F]{2}|[eE][89abAB][0-9a-fA-F]):(?:[0-9a-fA-F]{0,4}:){1,6}[0-9a-fA-F]{0,4}(?![\w:])|\bip-(?:10|172-(?:1[6-9]|2\d|3[01])|192-168)(?:-\d{1,3}){2,3}\b/,
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'internal host name',
    // A name without a dot resolves only inside the network: in a URL (`Location: http://auth-svc/login`,
    // `Refresh: 0; url=http://billing-api/`), or with its port in a proxy's or backend's field
    // (`Via: 1.1 orders-svc:8080`, `X-Backend-Server: orders-7d9f8c5b4-xk2lp:8080`, Squid's `X-Cache-Lookup:
    // MISS from squid01:3128`, Envoy's upstream host), a `Warning` field's agent (`199 orders-svc:8080 "…"`)
    // or an authentication realm (`Basic realm="auth-svc:9000"`); or alone in a field named for the host, its
    // pod or its container (`X-Pod-Name: web-1`, `X-Hostname: api-3`), or for the backend that answered,
    // whatever its name (`X-Backend-Server: app-02.prod.acme.net`; not a CDN's `X-Served-By` cache node).
    pattern:
      /\b(?:https?|wss?|grpcs?|redis|amqps?|postgres(?:ql)?|mysql|mongodb):\/\/(?!localhost\b)[a-z][\w-]{0,62}(?=[/?#"'<>)\]\s]|:\d{2,5}\b|$)|(?:^|\n)(?:via|x-backend(?:-server|-host)?|x-served-by|x-upstream(?:-addr|-host|-server)?|x-forwarded-server|x-forwarded-host|x-real-server|x-origin-server|x-host|x-envoy-upstream-host|x-cache(?:-lookup)?|warning|www-authenticate|proxy-authenticate): [^\n]{0,1024}?(?<![\w.:/-])(?!localhost\b)[a-z][\w-]{0,62}:\d{2,5}\b|(?:^|\n)x-(?:pod(?:-name)?|k8s-pod(?:-name)?|hostname|host-name|container(?:-id|-name)?|machine(?:-name)?): *(?!localhost\b)[a-z0-9][\w-]{0,62}(?![\w.-])|(?:^|\n)x-(?:backend(?:-server|-host)?|upstream(?:-addr|-host|-server)?|real-server|origin-server|node-name|instance-name): *(?!localhost\b)[a-z0-9][\w-]{0,62}(?:\.[\w-]{1,63}){1,8}/i,
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'database address in a connection URL',
    // A database's address, whatever its host (`jdbc:mysql://orders-db.prod.acme.com:3306/shop`,
    // `mongodb+srv://cluster0.ab12c.mongodb.net`); with a password it is a secret too.
    pattern:
      /\bjdbc:[a-z]\w{1,32}:(?:thin:@)?(?:\/\/)?(?!localhost\b)[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}(?::\d{2,5})?|\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|mssql|sqlserver|amqps?):\/\/(?:[^\s:@/]{1,128}@)?(?!localhost\b)[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b/,
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'cloud resource name (AWS ARN: account id and resource, or an S3 bucket)',
    pattern: /\barn:aws[\w-]{0,16}:(?:[\w-]{1,64}:[\w-]{0,32}:\d{12}:[\w/+=,.@:-]{1,256}|s3:::[a-z0-9][\w.-]{2,62})/,
  },
  // Versions and products
  {
    rule: 'leak/version',
    severity: 'medium',
    description: 'server or framework version',
    // product/1.2 (Server, Via, X-Powered-By, error pages), Jetty(9.4.44), Jetty's error page's `Powered by
    // Jetty:// 9.4.44`, X-AspNet[Mvc]-Version: a bare
    // product name without a version (Server: edge, Via: 1.1 varnish) is not one.
    pattern:
      /\b(?:nginx|openresty|Tengine|Apache|Tomcat|Microsoft-IIS|Microsoft-HTTPAPI|Werkzeug|gunicorn|uvicorn|Jetty|Kestrel|Express|PHP|Python|CPython|WSGIServer|TornadoServer|Puma|WEBrick|Cowboy|Undertow|GlassFish|WildFly|JBoss|Servlet|JSP|Node\.js|HAProxy|Varnish|lighttpd|Caddy|envoy|squid|Kong|Traefik|ATS|ApacheTrafficServer|OpenSSL|mod_\w+)\/\d+(?:\.\d+)*|\bJetty\(\d+(?:\.\d+)+|\bJetty:\/\/ ?\d+\.\d+|\bNode\.js v\d+\.\d+|\bx-aspnet(?:mvc)?-version: *\d+(?:\.\d+)*/i,
  },
  {
    rule: 'leak/version',
    severity: 'medium',
    description: 'server or framework version (Server or X-Powered-By field)',
    // `Server: Puma 6.4.0`, `X-Powered-By: Next.js 14.1.0`: any product with a version in these fields.
    pattern:
      /(?:^|\n)(?:server|x-powered-by|x-generator|x-server): [^\n]*?\b(?!HTTP\/)[A-Za-z][\w.-]*(?:\(R\))?[/ ]v?\d+\.\d+/,
  },
  {
    rule: 'leak/version',
    severity: 'medium',
    description: 'runtime, framework or database version',
    // `node v20.11.0`, `Express 4.18.2`, `express@4.18.2`, `ASP.NET Version:4.8`, `go1.21.5`, `X-PHP-Version: 8.1.2`.
    pattern:
      /\b(?:node(?:\.?js)?|express|koa|fastify|nestjs|next\.js|nuxt|django|flask|fastapi|starlette|rails|ruby|laravel|symfony|spring boot|tomcat|php|python|openjdk|java|kotlin|ASP\.NET(?: Core)?|NET Framework|NET Core|drupal|wordpress|deno|elixir|postgresql|mysql|mariadb|mongodb|redis|elasticsearch)(?:[@/]v?| version:? ?| v?)\d{1,4}\.\d{1,4}|\bgo1\.\d{1,3}\b|(?:^|\n)x-(?:php|aspnet(?:core|mvc)?|node(?:js)?|ruby|rails|python|django|java|jvm|spring|go|dotnet|framework|runtime|engine|backend|server)-version: *v?\d/i,
  },
  {
    rule: 'leak/inode',
    severity: 'low',
    description: "file's inode in an ETag (Apache's `FileETag INode`)",
    // Apache's three-part ETag is the file's inode, size and modification time in hex (`"2a-5d1b-5f0c"`,
    // CWE-200); its default two-part one (size and time), nginx's and a hash are not.
    pattern: /(?:^|\n)etag: *(?:W\/)?"(?=[\d-]{0,50}[a-f])[0-9a-f]{1,16}-[0-9a-f]{1,16}-[0-9a-f]{1,16}"/i,
  },
  {
    rule: 'leak/product',
    severity: 'low',
    description: 'product name in an error page',
    // Express's own 404 page (`Cannot GET /x`); a `Server` field naming an application server without its
    // version. A web server's bare name (`Server: nginx`, `Server: Apache`: what `server_tokens off` and
    // `ServerTokens Prod` leave, and no stock setting takes away) is not one.
    pattern:
      /<center>nginx<\/center>|X-Powered-By|Server: (?:Express|gunicorn|uvicorn|Werkzeug|Kestrel|Jetty|Tomcat|LiteSpeed|Microsoft-IIS|Puma|WEBrick|Cowboy)\b|<pre>Cannot (?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \//i,
  },
];

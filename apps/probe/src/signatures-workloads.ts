/**
 * Signatures of the names a container platform gives what runs inside it: Kubernetes pods (of a
 * Deployment, a StatefulSet, a DaemonSet) and container ids. Each resolves or means something only
 * inside the cluster, so an answer that names one tells where it came from. Each shape is one the
 * platform makes and public data seldom has: a generated suffix in Kubernetes' own alphabet (no
 * vowels, no 0, 1 or 3: `release-2024-01`, `check-in-order` and hex ids are not one), a StatefulSet's
 * ordinal with its headless service or after a data store's name, a container id after its runtime
 * or the word container.
 */
import type { Signature } from './signatures.js';

/** A character of the random suffixes Kubernetes generates (`k8s.io/apimachinery`'s `rand.String`). */
const K8S = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * A lower-case name with dashes, as a workload's (at most seven segments), from its start: tried once
 * a name, not again at each of its dashes (linear in a long run of `a-a-a-…`).
 */
const NAME = '(?<![\\w-])[a-z][a-z0-9]{0,30}(?:-[a-z0-9]{1,30}){0,6}';

/** DaemonSets every cluster runs (log shippers, metrics agents, network plugins): their pods are `<name>-<5>`. */
const DAEMONS =
  'fluentd|fluent-bit|filebeat|metricbeat|promtail|vector|node-exporter|kube-proxy|calico-node|cilium|aws-node|ebs-csi-node|datadog(?:-agent)?|newrelic-infra|otel-(?:agent|collector)|kube-flannel-ds|weave-net|konnectivity-agent|csi-node';

/** A data store or broker that runs as a StatefulSet: `orders-db-0`, `shop-redis-1`. */
const STORES =
  'db|database|postgres(?:ql)?|pg|mysql|mariadb|mongo(?:db)?|redis|kafka|zookeeper|zk|elasticsearch|opensearch|rabbitmq|etcd|cassandra|nats|memcached|clickhouse|minio|broker|vault|consul';

/** Where a host name is given: a word or a key, then a separator (`served by `, `"hostname":"`, `pod=`). */
const HOST_CONTEXT =
  '\\b(?:pod|pod[_-]?name|podName|host|hostname|hostName|node|instance|served[ _-]?by|servedBy|upstream|backend|worker|replica)["\']?\\s{0,4}[:=]?\\s{0,4}["\']?';

/** Kubernetes workloads and containers, checked with the other internal host names. */
export const WORKLOAD_SIGNATURES: readonly Signature[] = [
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'internal host name (Kubernetes pod)',
    // A Deployment's pod: its name, the pod template's hash and a suffix of 5, both in Kubernetes' own
    // alphabet, the hash with a digit: `orders-7d9f8b6c5-x2k4q`.
    pattern:
      /\b[a-z][a-z0-9]{0,62}(?:-[a-z0-9]{1,62}){0,6}-(?=[bcdfghjklmnpqrstvwxz]{0,9}[2456789])[bcdfghjklmnpqrstvwxz2456789]{6,10}-[bcdfghjklmnpqrstvwxz2456789]{5}\b/,
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'internal host name (Kubernetes StatefulSet pod)',
    // With its headless service (`kafka-2.kafka-headless`, `orders-db-0.orders-db`, `kafka-0.kafka.shop`:
    // the service is the set's name, then at most a namespace and `.svc`, not a public domain; a name
    // without a dash needs one of them: `part-3.part` is a file), or a data store's set
    // with its ordinal (`orders-db-0`, `shop-redis-1`), not a version (`redis-7.2`, `db-2-alpine`).
    pattern: new RegExp(
      `${NAME}-\\d{1,3}\\.[a-z][a-z0-9-]{0,62}-headless\\b|(?<![\\w-])([a-z][a-z0-9]{0,30}(?:-[a-z0-9]{1,30}){1,6})-\\d{1,3}\\.\\1(?:\\.[a-z0-9-]{1,63})?(?:\\.svc\\b|(?![.\\w-]))|(?<![\\w-])([a-z][a-z0-9]{0,30})-\\d{1,3}\\.\\2\\.(?:svc\\b|[a-z0-9-]{1,63}(?:\\.svc\\b|(?![.\\w-])))|${NAME}-(?:${STORES})-\\d{1,2}(?![\\w-]|\\.\\d)`,
    ),
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'internal host name (Kubernetes DaemonSet pod)',
    // A cluster's own daemon with its suffix of 5 (`fluentd-x7k2p`, `kube-proxy-9zq4m`), or any name
    // with such a suffix (a digit and a letter in it) where a host name is given (`served by web-x7k2p`).
    pattern: new RegExp(
      `(?<![\\w-])(?:${DAEMONS})-[${K8S}]{5}(?![\\w-])|${HOST_CONTEXT}${NAME}-(?=[${K8S}]{0,4}[2456789])(?=[${K8S}]{0,4}[bcdfghjklmnpqrstvwxz])[${K8S}]{5}(?![\\w-])`,
    ),
  },
  {
    rule: 'leak/private-ip',
    severity: 'medium',
    description: 'container id',
    // A container's id after its runtime's scheme (`docker://3f4e…`, `containerd://…`), in a cgroup's
    // path (`/docker/<64 hex>`, `cri-containerd-<64 hex>.scope`), or after the word container (`container
    // 3f4e5a6b7c8d`, `"containerId":"3f4e…"`), or where a host name is given (Docker's host name is its id).
    pattern: new RegExp(
      `\\b(?:docker|containerd|cri-o|crio)://[0-9a-f]{12,64}\\b|/(?:docker|kubepods(?:[\\w.-]{0,64}/){0,4})/?[0-9a-f]{64}\\b|\\b(?:docker|cri-containerd|crio)-[0-9a-f]{64}\\.scope\\b|(?:\\b[Cc]ontainer(?:[ _]?[Ii][Dd])?|${HOST_CONTEXT})["']?\\s{0,4}[:=]?\\s{0,4}["']?(?=[0-9]{0,63}[a-f])[0-9a-f]{12}(?:[0-9a-f]{52})?(?![\\w-])`,
    ),
  },
];

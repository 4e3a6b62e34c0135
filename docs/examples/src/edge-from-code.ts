import { renderHaproxy, renderNginx } from '@faultline/edge';

export const files = renderNginx({
  upstreams: ['127.0.0.1:3000'],
  routes: ['/api/'],
  listen: ['0.0.0.0:443'],
  internalListen: ['10.0.0.2:8080'],
  redirectListen: ['0.0.0.0:80'],
  tls: { certificate: '/etc/ssl/api.crt', key: '/etc/ssl/api.key' },
  idVersions: [4, 7],
  grpc: { upstreams: ['127.0.0.1:50051'], services: ['orders.v1.Orders'], domain: 'orders.example.com' },
}); // { 'nginx.conf': …, 'faultline-http.conf': …, … }

export const haproxyCfg = renderHaproxy({ upstreams: ['127.0.0.1:3000'], maxUrlBytes: 4096 });

// Child for sigterm.test.ts: the README's server and SIGTERM wiring, with the package's build and
// the default reporter (NDJSON on stdout). Each message names a hostile value for the handler to throw; 'pending' is a handler still running at SIGTERM. Prints its port.
const { createServer } = await import('node:http');
const { WebSocketServer } = await import('ws');
const { FaultError } = await import('@faultline/core');
const { createWsAdapter } = await import('@faultline/ws');

const SECRET = 'hunter2-Sig';
const trap = () => {
  throw new Error(`trap ${SECRET}`);
};
const VALUES = {
  promise: () => Promise.reject(new Error(`inner ${SECRET}`)),
  proxy: () => new Proxy({}, { get: trap, has: trap, ownKeys: trap, getPrototypeOf: trap }),
  conflict: () => Object.freeze(FaultError.of('conflict', { message: SECRET, stack: false })),
};

const fl = createWsAdapter();
const wss = new WebSocketServer({ noServer: true });
const onMessage = (message) => {
  if (message.kind === 'pending') return new Promise(() => {});
  throw VALUES[message.kind]();
};
wss.on(
  'connection',
  fl.connection((socket) => socket.on('message', fl.json(socket, onMessage))),
);
const server = createServer((_request, response) => response.writeHead(426).end());
server.on(
  'upgrade',
  fl.upgrade(wss, (request) => {
    if (request.url === '/deny') throw VALUES.proxy();
  }),
);
server.on('clientError', fl.clientError);
server.listen(0, '127.0.0.1', () => console.error(`port ${server.address().port}`));
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(1), 10_000).unref();
  wss.close();
  for (const client of wss.clients) client.close(1001, 'server shutting down');
  server.close();
});

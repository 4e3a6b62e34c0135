import { createServer } from 'node:http';
import { createWsAdapter } from '@faultline/ws';
import { WebSocketServer } from 'ws';
import { errors } from './catalog.js';

const fl = createWsAdapter();
const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 }); // ws allows 100 MiB a message
const onMessage = () => {
  throw errors.ORDER_NOT_FOUND(); // an error frame; the socket stays open
};
const onConnection = fl.connection((socket) => socket.on('message', fl.json(socket, onMessage)));
wss.on('connection', onConnection);
const server = createServer((_request, response) => response.writeHead(426).end());
server.on('upgrade', fl.upgrade(wss)); // pass a check to refuse a handshake: throw in it
server.on('clientError', fl.clientError); // malformed HTTP: problem JSON with an id, not a bare 400
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
process.once('SIGTERM', () => {
  setTimeout(() => process.exit(1), 10_000).unref(); // sockets still open after 10 s are cut off
  wss.close(); // new upgrades are refused
  for (const client of wss.clients) client.close(1001, 'server shutting down');
  server.close(); // returns once the sockets have closed
});

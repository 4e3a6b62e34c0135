import { decodeWsFault } from '@faultline/client';
import { WebSocket } from 'ws';

const socket = new WebSocket(`ws://127.0.0.1:${process.env.PORT ?? 3000}/`);
socket.on('open', () => socket.send(JSON.stringify({ order: '42' })));
socket.on('message', (data) => {
  const fault = decodeWsFault(data.toString()); // an error frame; undefined for an application message
  if (fault !== undefined) console.log(fault.code, fault.requestId);
  socket.close();
});
socket.on('close', (code, reason) => {
  const fault = decodeWsFault({ code, reason }); // a close: `<CODE> <request_id>` in the reason
  if (fault !== undefined && code !== 1000 && code !== 1005) console.log(fault.code, fault.requestId);
});

// Remembers which dialed sockets completed their connect (and TLS handshake): a request that
// failed on a socket that never got there was not sent and may go to another endpoint.
import type { Socket } from 'node:net';

const established = new WeakSet<Socket>();
const EVENT = 'l5d:established';

export function trackEstablished(socket: Socket, event: 'connect' | 'secureConnect'): Socket {
  socket.once(event, () => {
    established.add(socket);
    socket.emit(EVENT);
  });
  return socket;
}

export function whenEstablished(socket: Socket, cb: () => void): void {
  if (established.has(socket)) cb();
  else socket.once(EVENT, cb);
}

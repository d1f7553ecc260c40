// The check itself: a server on the listen address hands a random token to every connection; a
// client connecting to the connect address must receive that token, which only happens when the
// NAT rules redirect the connection to the server.
import { randomInt } from 'node:crypto';
import { connect, createServer, type Server } from 'node:net';
import { formatHostPort } from '../shared/listen.js';
import type { SocketAddress } from './flags.js';
import type { Logger } from './log.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 63 random alphanumeric characters and a newline. */
export function generateToken(): string {
  let token = '';
  for (let i = 0; i < 63; i++) token += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return `${token}\n`;
}

export interface Validation {
  /** Settles when the check has passed (or rejects with why it failed). */
  result: Promise<void>;
  /** Stops the server and any pending connection. */
  close(): void;
}

export function validate(listen: SocketAddress, target: SocketAddress, log: Logger): Validation {
  const token = generateToken();
  const server = serveToken(token, log);
  const sockets = new Set<{ destroy(): void }>();
  const result = (async () => {
    await bind(server, listen);
    log.info(`Listening for connections on ${formatHostPort(listen.host, listen.port)}`);
    log.debug('token', { token: JSON.stringify(token) });
    log.info(`Connecting to ${formatHostPort(target.host, target.port)}`);
    const data = await readExactly(target, Buffer.byteLength(token), sockets, log);
    log.debug('Read message from server', { data: JSON.stringify(data), size: data.length });
    if (data !== token) {
      throw new Error(`expected client to receive ${JSON.stringify(token)}; got ${JSON.stringify(data)} instead`);
    }
  })();
  return {
    result,
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

function serveToken(token: string, log: Logger): Server {
  return createServer((socket) => {
    log.debug('Accepted', { 'client.addr': peer(socket.remoteAddress, socket.remotePort) });
    socket.on('error', (err) => log.error('Failed to write bytes to client', { error: err.message }));
    socket.end(token, () => log.debug('Wrote message to client', { bytes: token.length }));
  });
}

function bind(server: Server, { host, port }: SocketAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`failed to bind ${formatHostPort(host, port)}: ${err.message}`)));
    // Exclusive, and IPv6 wildcard listeners take IPv4 too, as the proxy's outbound listener would.
    server.listen({ host, port, exclusive: true }, () => resolve());
  });
}

function readExactly(
  target: SocketAddress,
  size: number,
  sockets: Set<{ destroy(): void }>,
  log: Logger,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const socket = connect({ host: target.host, port: target.port });
    sockets.add(socket);
    socket.once('connect', () =>
      log.debug('Connected', { 'client.addr': peer(socket.localAddress, socket.localPort) }),
    );
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < size) return;
      socket.destroy();
      resolve(Buffer.concat(chunks).subarray(0, size).toString('utf8'));
    });
    socket.once('error', (err) =>
      reject(new Error(`connection to ${formatHostPort(target.host, target.port)} failed: ${err.message}`)),
    );
    // Upstream keeps waiting for bytes that can never come; a closed connection is a clear failure.
    socket.once('end', () =>
      reject(
        new Error(
          `connection to ${formatHostPort(target.host, target.port)} closed after ${received} of ${size} bytes: ` +
            `got ${JSON.stringify(Buffer.concat(chunks).toString('utf8'))}`,
        ),
      ),
    );
  });
}

function peer(host: string | undefined, port: number | undefined): string {
  return formatHostPort(host ?? '?', port ?? 0);
}

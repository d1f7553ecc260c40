import { isIP, type Server } from 'node:net';

export interface ListenAddress {
  host: string;
  port: number;
}

/** Parses Go listen addresses: `:8080`, `0.0.0.0:8080`, `[::]:8080`, `localhost:0`. */
export function parseListenAddress(addr: string): ListenAddress {
  const m = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr);
  if (m === null) throw new Error(`invalid listen address: ${addr}`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`invalid port in listen address: ${addr}`);
  return { host: m[1] ?? m[2] ?? '', port };
}

/** Listens on a Go-style address (empty host = all interfaces) and resolves with the bound address. */
export function listen(server: Server, addr: string): Promise<ListenAddress> {
  const { host, port } = parseListenAddress(addr);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const onListening = () => {
      server.off('error', reject);
      const bound = server.address();
      if (bound === null || typeof bound === 'string') return resolve({ host, port });
      resolve({ host: bound.address, port: bound.port });
    };
    if (host === '') server.listen(port, onListening);
    else server.listen(port, host, onListening);
  });
}

/** `host:port`, with an IPv6 host in brackets. */
export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

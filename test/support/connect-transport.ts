// A connect-rpc gRPC transport to a controller, for tests and benches that call the controllers'
// APIs directly: an implementation independent of the proxy's own client (grpc-channel.ts).
import type { Transport } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';

export function connectTransport(address: string): Transport {
  return createGrpcTransport({ baseUrl: `http://${address}` });
}

import { Code, ConnectError } from '@connectrpc/connect';

/** A Certify refusal carrying the gRPC status the proxy sees. */
export function refuse(code: Code, message: string): ConnectError {
  return new ConnectError(message, code);
}

export { Code };

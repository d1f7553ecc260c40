import {
  createServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import { Code, ConnectError, type ConnectRouter, type Interceptor } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { Counter, Histogram, type Registry } from 'prom-client';
import { listen, type ListenAddress } from './listen.js';

export interface GrpcServer {
  server: Http2Server;
  address: ListenAddress;
  /** Ends open streams (status OK for streams, as a graceful stop does) and stops listening. */
  close(): Promise<void>;
}

/** What one controller's gRPC server accepts before refusing. */
export interface GrpcLimits {
  /** Largest message read or written: grpc-go's default receive limit (4 MiB). */
  maxMessageBytes: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS per connection. */
  maxConcurrentStreams: number;
  /** Open streams over all connections; more are answered RESOURCE_EXHAUSTED. */
  maxOpenStreams: number;
  /** Open connections; more are closed on accept. */
  maxConnections: number;
}

// A proxy holds one Get/GetProfile stream per destination it talks to on one connection, so the
// per-connection bound leaves room for busy proxies; the totals bound what a whole mesh may hold.
export const GRPC_LIMITS: GrpcLimits = {
  maxMessageBytes: 4 * 1024 * 1024,
  maxConcurrentStreams: 1000,
  maxOpenStreams: 100_000,
  maxConnections: 20_000,
};

/**
 * A plain-text HTTP/2 gRPC server (no Connect or gRPC-Web), the way Linkerd's controllers serve:
 * TLS is the job of the controller pod's own proxy.
 */
export async function startGrpcServer(
  addr: string,
  routes: (router: ConnectRouter) => void,
  registry: Registry,
  overrides: Partial<GrpcLimits> = {},
): Promise<GrpcServer> {
  const limits = { ...GRPC_LIMITS, ...overrides };
  const shutdown = new AbortController();
  const handler = connectNodeAdapter({
    routes,
    grpc: true,
    grpcWeb: false,
    connect: false,
    readMaxBytes: limits.maxMessageBytes,
    writeMaxBytes: limits.maxMessageBytes,
    shutdownSignal: shutdown.signal,
    interceptors: [grpcMetricsInterceptor(registry)],
  });
  const server = createServer(
    { settings: { maxConcurrentStreams: limits.maxConcurrentStreams } },
    boundedStreams(limits.maxOpenStreams, handler),
  );
  server.maxConnections = limits.maxConnections;
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.once('close', () => sessions.delete(s));
  });
  const address = await listen(server, addr);
  return {
    server,
    address,
    async close() {
      shutdown.abort(new ConnectError('server shutting down', Code.Unavailable));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.close();
        setTimeout(() => {
          for (const s of sessions) s.destroy();
        }, 2000).unref();
      });
    },
  };
}

type Handler = (req: Http2ServerRequest, res: Http2ServerResponse) => void;

/** Answers a trailers-only RESOURCE_EXHAUSTED once `max` streams are open on the whole server. */
function boundedStreams(max: number, handler: Handler): Handler {
  let open = 0;
  return (req, res) => {
    if (open >= max) {
      res.writeHead(200, {
        'content-type': 'application/grpc',
        'grpc-status': String(Code.ResourceExhausted),
        'grpc-message': 'too many open streams',
      });
      res.end();
      return;
    }
    open++;
    res.once('close', () => open--);
    handler(req, res);
  };
}

/** go-grpc-prometheus compatible server metrics. */
export function grpcMetricsInterceptor(registry: Registry): Interceptor {
  const labelNames = ['grpc_type', 'grpc_service', 'grpc_method'] as const;
  const started = new Counter({
    name: 'grpc_server_started_total',
    help: 'Total number of RPCs started on the server.',
    labelNames,
    registers: [registry],
  });
  const handled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'Total number of RPCs completed on the server, regardless of success or failure.',
    labelNames: [...labelNames, 'grpc_code'],
    registers: [registry],
  });
  const received = new Counter({
    name: 'grpc_server_msg_received_total',
    help: 'Total number of RPC stream messages received on the server.',
    labelNames,
    registers: [registry],
  });
  const sent = new Counter({
    name: 'grpc_server_msg_sent_total',
    help: 'Total number of gRPC stream messages sent by the server.',
    labelNames,
    registers: [registry],
  });
  const seconds = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.',
    labelNames,
    buckets: [0.1, 1, 300, 3600],
    registers: [registry],
  });
  return (next) => async (req) => {
    const labels = {
      grpc_type: GRPC_TYPES[req.method.methodKind],
      grpc_service: req.service.typeName,
      grpc_method: req.method.name,
    };
    const startedAt = performance.now();
    started.inc(labels);
    const finish = (err: unknown) => {
      const code = err === undefined ? 'OK' : (Code[ConnectError.from(err).code] ?? 'Unknown');
      handled.inc({ ...labels, grpc_code: code });
      seconds.observe(labels, (performance.now() - startedAt) / 1000);
    };
    if (!req.stream) received.inc(labels);
    try {
      const res = await next(req);
      if (!res.stream) {
        sent.inc(labels);
        finish(undefined);
        return res;
      }
      return {
        ...res,
        message: (async function* () {
          try {
            for await (const m of res.message) {
              sent.inc(labels);
              yield m;
            }
            finish(undefined);
          } catch (err) {
            finish(err);
            throw err;
          }
        })(),
      };
    } catch (err) {
      finish(err);
      throw err;
    }
  };
}

const GRPC_TYPES: Record<string, string> = {
  unary: 'unary',
  server_streaming: 'server_stream',
  client_streaming: 'client_stream',
  bidi_streaming: 'bidi_stream',
};

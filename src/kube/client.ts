import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { KubeApiError, KubeConnectionError } from './errors.js';
import type { KubeConnectionOptions, ResolvedConnection } from './connection.js';
import { resolveConnection } from './connection.js';
import type { WatchEvent } from './types.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface KubeRequest {
  method?: HttpMethod;
  /** Absolute API path, e.g. `/api/v1/namespaces/linkerd/configmaps/linkerd-config`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Defaults to JSON; use `application/apply-patch+yaml`, `application/merge-patch+json`, … for patches. */
  contentType?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/** client-go's TLS handshake timeout. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface KubeClientTuning {
  /**
   * Bound on TCP connect plus TLS handshake. A request's own timeout does not cut a handshake
   * short (undici aborts only once connected), so a command with a tighter bound sets this too.
   */
  connectTimeoutMs?: number;
}

/**
 * A small REST client for the Kubernetes API. Loading and authentication follow client-go's rules
 * (via @kubernetes/client-node's KubeConfig); requests go through undici so every call has a
 * bounded timeout and impersonation headers are applied uniformly.
 */
export class KubeClient {
  private readonly dispatcher: Dispatcher;

  private constructor(
    readonly connection: ResolvedConnection,
    tuning: KubeClientTuning = {},
  ) {
    this.dispatcher = new Agent({
      connect: {
        timeout: tuning.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        ca: connection.tls.ca,
        cert: connection.tls.cert,
        key: connection.tls.key,
        rejectUnauthorized: connection.tls.rejectUnauthorized,
        servername: connection.tls.servername,
      },
    });
  }

  static async connect(options: KubeConnectionOptions = {}, tuning: KubeClientTuning = {}): Promise<KubeClient> {
    return new KubeClient(await resolveConnection(options), tuning);
  }

  /** Server URL of the current context. */
  get server(): string {
    return this.connection.server;
  }

  /** Namespace of the current kubeconfig context (for commands with their own `-n`), else `default`. */
  get contextNamespace(): string {
    return this.connection.namespace ?? 'default';
  }

  async request<T>(req: KubeRequest): Promise<T> {
    const res = await this.send(req);
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) throw toApiError(req, res.statusCode, text);
    return (text.length > 0 ? JSON.parse(text) : undefined) as T;
  }

  /** Like `request`, but a 404 yields `undefined` instead of throwing. */
  async getOptional<T>(path: string, timeoutMs?: number): Promise<T | undefined> {
    try {
      return await this.request<T>({ path, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    } catch (err) {
      if (err instanceof KubeApiError && err.notFound) return undefined;
      throw err;
    }
  }

  /**
   * Streams watch events (`?watch=true`) until the server closes the stream or `signal` aborts.
   * Callers own re-listing and resourceVersion bookkeeping.
   */
  async *watch<T>(req: Omit<KubeRequest, 'method' | 'body'>): AsyncGenerator<WatchEvent<T>> {
    const res = await this.send({ ...req, query: { ...req.query, watch: true }, timeoutMs: 0 });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      throw toApiError(req, res.statusCode, await res.body.text());
    }
    let buffered = '';
    for await (const chunk of res.body) {
      buffered += (chunk as Buffer).toString('utf8');
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line.length > 0) yield JSON.parse(line) as WatchEvent<T>;
        newline = buffered.indexOf('\n');
      }
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async send(req: KubeRequest): Promise<Dispatcher.ResponseData> {
    const url = new URL(
      req.path,
      this.connection.server.endsWith('/') ? this.connection.server : `${this.connection.server}/`,
    );
    // Keep the server's own path prefix (e.g. a proxy at https://host/k8s/clusters/x).
    url.pathname = joinPaths(new URL(this.connection.server).pathname, req.path.split('?')[0] ?? '');
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string | string[]> = { accept: 'application/json', ...this.connection.headers };
    let body: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = req.contentType ?? 'application/json';
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    }
    const timeout = req.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const signals = [req.signal, timeout > 0 ? AbortSignal.timeout(timeout) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    try {
      return await undiciRequest(url, {
        method: req.method ?? 'GET',
        headers,
        body,
        dispatcher: this.dispatcher,
        signal: signals.length > 0 ? AbortSignal.any(signals) : undefined,
        headersTimeout: timeout > 0 ? timeout : 0,
        bodyTimeout: timeout > 0 ? timeout : 0,
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new KubeConnectionError(`${req.method ?? 'GET'} ${url.toString()}: ${reason}`, { cause: err });
    }
  }
}

function joinPaths(prefix: string, path: string): string {
  return `${prefix.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function toApiError(req: Pick<KubeRequest, 'path'>, status: number, text: string): KubeApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const statusObj = parsed as { reason?: string; message?: string } | undefined;
  const message = statusObj?.message ?? (text.trim() || `HTTP ${status}`);
  return new KubeApiError(status, statusObj?.reason ?? '', `${message} (${req.path})`, parsed);
}

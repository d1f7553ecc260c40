import { EventEmitter } from 'node:events';
import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type DescMethodServerStreaming,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import {
  Destination,
  type DestinationProfile,
  type Update,
  type WeightedAddr,
  type WeightedAddrSet,
} from '../../proto/gen/destination_pb.js';
import { tcpAddressToString } from '../destination/net.js';
import { GrpcCode, GrpcError, type GrpcChannel } from './grpc-channel.js';
import { backoffDelayMs } from './backoff.js';

export interface DestinationClientOptions {
  channel: GrpcChannel;
  /** `LINKERD2_PROXY_DESTINATION_CONTEXT`, sent with every request. */
  contextToken?: string;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** An endpoint with the set-level labels already overlaid by its own. */
export interface Endpoint {
  address: string;
  addr: WeightedAddr;
  labels: Record<string, string>;
}

/** Statuses that mean "asking again will not help" (proxy.md §5.1). */
function isTerminal(err: unknown): boolean {
  const code = GrpcError.from(err).code;
  return code === GrpcCode.INVALID_ARGUMENT || code === GrpcCode.FAILED_PRECONDITION;
}

/** A server-streaming call of `method`, messages coded with its generated schemas. */
async function* serverStream<I extends DescMessage, O extends DescMessage>(
  channel: GrpcChannel,
  method: DescMethodServerStreaming<I, O>,
  input: MessageInitShape<I>,
  signal: AbortSignal,
): AsyncGenerator<MessageShape<O>> {
  const request = toBinary(method.input, create(method.input, input));
  for await (const bytes of channel.serverStream(`/${method.parent.typeName}/${method.name}`, request, { signal }))
    yield fromBinary(method.output, bytes);
}

interface WatchEvents<S> {
  update: [S];
  /** A stream failed; `terminal` when it will not be retried. */
  error: [Error, boolean];
}

/**
 * Runs one server stream forever: reconnects with exponential backoff after OK or retryable
 * errors, stops on InvalidArgument/FailedPrecondition or `close()`.
 */
abstract class StreamWatch<M, S> extends EventEmitter<WatchEvents<S>> {
  private readonly abort = new AbortController();
  private firstUpdate: Promise<S> | undefined;
  /** Number of (re)connections made. */
  connections = 0;

  protected constructor(protected readonly opts: DestinationClientOptions) {
    super();
  }

  protected abstract open(signal: AbortSignal): AsyncIterable<M>;
  /** Applies a message; `first` is true for the first message of a (re)connected stream. */
  protected abstract apply(message: M, first: boolean): boolean;
  abstract get state(): S;

  protected start(): void {
    void this.loop();
  }

  /** Resolves with the state after the first message. */
  ready(): Promise<S> {
    this.firstUpdate ??= new Promise((resolve) => this.once('update', resolve));
    return this.firstUpdate;
  }

  close(): void {
    this.abort.abort();
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      this.connections++;
      let first = true;
      try {
        for await (const message of this.open(signal)) {
          attempt = 0;
          if (this.apply(message, first)) this.emit('update', this.state);
          first = false;
        }
      } catch (err) {
        if (signal.aborted) return;
        const terminal = isTerminal(err);
        if (this.listenerCount('error') > 0) this.emit('error', GrpcError.from(err), terminal);
        if (terminal) return;
      }
      const delay = backoffDelayMs(attempt++, this.opts.minBackoffMs ?? 100, this.opts.maxBackoffMs ?? 10_000);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

/** The live endpoint set of one authority (Destination.Get). */
export class EndpointWatch extends StreamWatch<Update, ReadonlyMap<string, Endpoint>> {
  private readonly endpoints = new Map<string, Endpoint>();
  /** From `no_endpoints`, when the server says so. */
  exists: boolean | undefined;

  constructor(
    readonly authority: string,
    opts: DestinationClientOptions,
  ) {
    super(opts);
    this.start();
  }

  get state(): ReadonlyMap<string, Endpoint> {
    return this.endpoints;
  }

  protected open(signal: AbortSignal): AsyncIterable<Update> {
    const request = { path: this.authority, contextToken: this.opts.contextToken ?? '' };
    return serverStream(this.opts.channel, Destination.method.get, request, signal);
  }

  protected apply(update: Update, first: boolean): boolean {
    const u = update.update;
    switch (u.case) {
      case 'add':
        // The first message of a stream replaces whatever an earlier stream left.
        if (first) this.endpoints.clear();
        return this.add(u.value) || first;
      case 'remove': {
        if (first) return false;
        let changed = false;
        for (const a of u.value.addrs) {
          const key = tcpAddressToString(a);
          if (key !== undefined) changed = this.endpoints.delete(key) || changed;
        }
        return changed;
      }
      case 'noEndpoints':
        this.endpoints.clear();
        this.exists = u.value.exists;
        return true;
      default:
        return false;
    }
  }

  private add(set: WeightedAddrSet): boolean {
    let changed = false;
    for (const addr of set.addrs) {
      const key = tcpAddressToString(addr.addr);
      if (key === undefined) continue;
      this.endpoints.set(key, { address: key, addr, labels: { ...set.metricLabels, ...addr.metricLabels } });
      changed = true;
    }
    if (changed) this.exists = true;
    return changed;
  }
}

/** The latest profile of a destination (Destination.GetProfile). */
export class ProfileWatch extends StreamWatch<DestinationProfile, DestinationProfile | undefined> {
  private latest: DestinationProfile | undefined;

  constructor(
    readonly path: string,
    opts: DestinationClientOptions,
  ) {
    super(opts);
    this.start();
  }

  get state(): DestinationProfile | undefined {
    return this.latest;
  }

  protected open(signal: AbortSignal): AsyncIterable<DestinationProfile> {
    const request = { path: this.path, contextToken: this.opts.contextToken ?? '' };
    return serverStream(this.opts.channel, Destination.method.getProfile, request, signal);
  }

  protected apply(profile: DestinationProfile): boolean {
    this.latest = profile;
    return true;
  }
}

/** Client of the destination controller for the proxy: one watch per authority, shared. */
export class DestinationClient {
  private readonly endpointWatches = new Map<string, EndpointWatch>();
  private readonly profileWatches = new Map<string, ProfileWatch>();

  constructor(private readonly opts: DestinationClientOptions) {}

  /** Watches `name:port`; the same watch is returned until it is closed. */
  resolve(authority: string): EndpointWatch {
    const existing = this.endpointWatches.get(authority);
    if (existing !== undefined && !existing.closed) return existing;
    const watch = new EndpointWatch(authority, this.opts);
    this.endpointWatches.set(authority, watch);
    return watch;
  }

  profile(path: string): ProfileWatch {
    const existing = this.profileWatches.get(path);
    if (existing !== undefined && !existing.closed) return existing;
    const watch = new ProfileWatch(path, this.opts);
    this.profileWatches.set(path, watch);
    return watch;
  }

  close(): void {
    for (const w of [...this.endpointWatches.values(), ...this.profileWatches.values()]) w.close();
    this.endpointWatches.clear();
    this.profileWatches.clear();
  }
}

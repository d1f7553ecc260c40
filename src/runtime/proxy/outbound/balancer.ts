// A P2C/peak-EWMA balancer over the endpoints of one authority (spec proxy §6.1, §6.2), fed by
// a discovery watch. Endpoints that refused a connection are unready for a reconnect backoff.
import type http from 'node:http';
import type http2 from 'node:http2';
import { ConsecutiveFailures, type ConsecutiveFailuresParams, backoffDelay } from '../balance/failure-accrual.js';
import { pickP2c } from '../balance/p2c.js';
import { DEFAULT_EWMA, PeakEwma } from '../balance/peak-ewma.js';
import { type Endpoint, type EndpointWatch, type Resolution, endpointKey } from '../discovery/discovery.js';
import { ProxyError } from '../protocol/errors.js';

const RECONNECT_BACKOFF = { minMs: 100, maxMs: 60_000, jitter: 0.1 };

export class EndpointState {
  readonly ewma = new PeakEwma(DEFAULT_EWMA);
  /** Present when the service enables failure accrual. */
  readonly breaker: ConsecutiveFailures | undefined;
  private unreadyUntil = 0;
  private connectFailures = 0;
  /** Lazily created connection pools owned by the outbound HTTP stacks. */
  h1Agent: http.Agent | undefined;
  h2Session: http2.ClientHttp2Session | undefined;
  h2Connecting: Promise<http2.ClientHttp2Session> | undefined;
  /** Pre-rendered metric label sets. */
  requestKey = '';
  transportKey = '';
  removed = false;

  constructor(
    public endpoint: Endpoint,
    accrual: ConsecutiveFailuresParams | undefined,
  ) {
    this.breaker = accrual ? new ConsecutiveFailures(accrual) : undefined;
  }

  isReady(now: number): boolean {
    return now >= this.unreadyUntil && (this.breaker?.isReady() ?? true);
  }

  connectFailed(now: number = Date.now()): void {
    this.unreadyUntil = now + backoffDelay(RECONNECT_BACKOFF, this.connectFailures++);
  }

  connected(): void {
    this.connectFailures = 0;
    this.unreadyUntil = 0;
  }

  dispose(): void {
    this.removed = true;
    this.h1Agent?.destroy();
    this.h2Session?.close();
  }
}

export interface BalancerOptions {
  failfastMs: number;
  /** Called when an endpoint is created, to pre-render its metric keys. */
  decorate: (s: EndpointState, setLabels: Record<string, string>) => void;
}

export class Balancer {
  private readonly endpoints = new Map<string, EndpointState>();
  private resolution: Resolution | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly first: Promise<Resolution>;

  constructor(
    readonly authority: string,
    private readonly watch: EndpointWatch,
    private readonly options: BalancerOptions,
  ) {
    this.first = watch.current().then((r) => {
      this.apply(r);
      return r;
    });
    watch.onUpdate((r) => this.apply(r));
  }

  /** The first discovery answer (no timeout: the connection waits, spec proxy §9.4). */
  resolved(): Promise<Resolution> {
    return this.first;
  }

  get isUnknown(): boolean {
    return this.resolution?.kind === 'unknown';
  }

  private apply(r: Resolution): void {
    this.resolution = r;
    const next = new Map<string, Endpoint>();
    if (r.kind === 'endpoints') for (const e of r.endpoints) next.set(endpointKey(e), e);
    for (const [key, state] of this.endpoints) {
      const replacement = next.get(key);
      if (!replacement || JSON.stringify(replacement) !== JSON.stringify(state.endpoint)) {
        state.dispose();
        this.endpoints.delete(key);
      }
    }
    for (const [key, e] of next) {
      if (this.endpoints.has(key)) continue;
      const s = new EndpointState(e, r.kind === 'endpoints' ? r.failureAccrual : undefined);
      this.options.decorate(s, r.kind === 'endpoints' ? r.labels : {});
      this.endpoints.set(key, s);
    }
    this.wake();
  }

  private wake(): void {
    for (const w of this.waiters) w();
  }

  private tryPick(): EndpointState | undefined {
    const now = Date.now();
    const ready: EndpointState[] = [];
    for (const s of this.endpoints.values()) if (s.isReady(now)) ready.push(s);
    const t = performance.now();
    const picked = pickP2c(ready, (s) => s.ewma.load(t));
    picked?.breaker?.tryAcquire();
    return picked;
  }

  /** Waits for a ready endpoint; fails fast after the failfast timeout (→ 504). */
  async pick(): Promise<EndpointState> {
    const ready = this.tryPick();
    if (ready) return ready;
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const attempt = (): void => {
        const s = this.tryPick();
        if (s) {
          done();
          resolve(s);
        } else if (Date.now() - started >= this.options.failfastMs) {
          done();
          reject(new ProxyError('failfast', `logical service ${this.authority}: service in fail-fast`));
        }
      };
      // Endpoints also become ready again by the passage of time (backoffs).
      const poll = setInterval(attempt, 50);
      const done = (): void => {
        this.waiters.delete(attempt);
        clearInterval(poll);
      };
      this.waiters.add(attempt);
    });
  }

  /** Called after a request finished on `s`. */
  record(s: EndpointState, success: boolean, rttMs: number | undefined): void {
    if (rttMs !== undefined) s.ewma.observe(rttMs);
    s.breaker?.record(success);
  }

  close(): void {
    this.watch.close();
    for (const s of this.endpoints.values()) s.dispose();
    this.endpoints.clear();
    this.wake();
  }
}

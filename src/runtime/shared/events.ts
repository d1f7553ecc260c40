import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../../kube/client.js';
import type { Logger } from './log.js';

export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
}

export type EventType = 'Normal' | 'Warning';

/** Records core/v1 Events the way client-go's recorder does (fire and forget; failures are logged). */
export class EventRecorder {
  constructor(
    private readonly kube: KubeClient,
    private readonly component: string,
    private readonly log: Logger,
  ) {}

  record(target: EventTarget, type: EventType, reason: string, message: string): void {
    const now = new Date().toISOString();
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name: `${target.name}.${Date.now().toString(16)}${randomBytes(4).toString('hex')}`,
        namespace: target.namespace,
      },
      involvedObject: target,
      reason,
      message,
      type,
      source: { component: this.component },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    this.kube
      .request({ method: 'POST', path: `/api/v1/namespaces/${target.namespace}/events`, body })
      .catch((err: unknown) => this.log.warn({ err: String(err), reason }, 'failed to record event'));
  }
}

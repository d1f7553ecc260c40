import { Counter, Gauge, type Registry } from 'prom-client';

/** controllers.md §2.10 subscriber/update gauges and the queue-overflow counters. */
export function destinationMetrics(registry: Registry) {
  const endpointLabels = ['cluster', 'namespace', 'service', 'port', 'hostname', 'nodename'] as const;
  return {
    endpointsSubscribers: new Gauge({
      name: 'endpoints_subscribers',
      help: 'Number of subscribers to Service endpoint changes',
      labelNames: endpointLabels,
      registers: [registry],
    }),
    endpointsUpdates: new Counter({
      name: 'endpoints_updates',
      help: 'Number of Service endpoint change updates',
      labelNames: endpointLabels,
      registers: [registry],
    }),
    profileSubscribers: new Gauge({
      name: 'profile_subscribers',
      help: 'Number of subscribers to ServiceProfile changes',
      labelNames: ['namespace', 'profile'],
      registers: [registry],
    }),
    profileUpdates: new Counter({
      name: 'profile_updates',
      help: 'Number of ServiceProfile change updates',
      labelNames: ['namespace', 'profile'],
      registers: [registry],
    }),
    workloadSubscribers: new Gauge({
      name: 'workload_subscribers',
      help: 'Number of subscribers to workload changes',
      registers: [registry],
    }),
    workloadUpdates: new Counter({
      name: 'workload_updates',
      help: 'Number of workload updates',
      registers: [registry],
    }),
    endpointOverflow: new Counter({
      name: 'endpoint_updates_queue_overflow',
      help: 'Number of times an endpoint update stream overflowed its queue',
      labelNames: ['service'],
      registers: [registry],
    }),
    profileOverflow: new Counter({
      name: 'profile_updates_queue_overflow',
      help: 'Number of times a profile update stream overflowed its queue',
      labelNames: ['fqn', 'port'],
      registers: [registry],
    }),
    endpointProfileOverflow: new Counter({
      name: 'endpoint_profile_updates_queue_overflow',
      help: 'Number of times an endpoint profile update stream overflowed its queue',
      labelNames: ['fqn', 'port'],
      registers: [registry],
    }),
  };
}

export type DestinationMetrics = ReturnType<typeof destinationMetrics>;

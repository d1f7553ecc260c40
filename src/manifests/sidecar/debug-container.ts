import type { V1Container } from '@kubernetes/client-node';
import type { Values } from '../values/types.js';

export const DEBUG_CONTAINER_NAME = 'linkerd-debug';

/** `linkerd-debug` (inject.md §6.6), always appended after the app containers. */
export function debugContainer(values: Values): V1Container {
  const { image } = values.debugContainer;
  return {
    name: DEBUG_CONTAINER_NAME,
    image: `${image.name}:${image.version || values.linkerdVersion}`,
    imagePullPolicy: image.pullPolicy || values.imagePullPolicy,
    livenessProbe: { exec: { command: ['true'] } },
    readinessProbe: { exec: { command: ['true'] } },
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

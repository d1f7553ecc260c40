import { COMMON_FLAGS, flag } from '../shared/flags.js';

export const HEARTBEAT_FLAGS = {
  ...COMMON_FLAGS,
  'controller-namespace': flag('string', 'linkerd', 'namespace in which Linkerd is installed'),
  'prometheus-url': flag('string', 'http://127.0.0.1:9090', 'prometheus url used to query for metrics'),
  // l5d: where the report goes. Empty (the default) sends nothing anywhere: the report is logged.
  'heartbeat-url': flag(
    'string',
    '',
    'URL the heartbeat report is sent to (GET with the report as query); empty sends nothing',
  ),
} as const;

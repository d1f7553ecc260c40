import { parseGoDuration } from '../../util/go-duration.js';
import { checkClockSkewAllowance, checkIssuanceLifetime } from '../../util/issuance-bounds.js';
import { validateProxyValues } from '../values/proxy-validation.js';
import type { Values } from '../values/types.js';

const CONTROLLER_LOG_LEVELS = ['panic', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'];
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const DNS1123_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** install.md §6: the proxy-related checks, then the control-plane ones. */
export function validateInstallValues(values: Values): void {
  validateProxyValues(values);
  if (!CONTROLLER_LOG_LEVELS.includes(values.controllerLogLevel)) {
    throw new Error(`--controller-log-level must be one of: ${CONTROLLER_LOG_LEVELS.join(', ')}`);
  }
  const td = values.identityTrustDomain;
  if (td && (td.length > 253 || !DNS1123_SUBDOMAIN.test(td))) {
    throw new Error(`invalid trust domain '${td}': ${DNS1123_MESSAGE}`);
  }
  const { issuanceLifetime, clockSkewAllowance } = values.identity.issuer;
  checkIssuanceLifetime(parseGoDuration(issuanceLifetime));
  checkClockSkewAllowance(parseGoDuration(clockSkewAllowance));
}

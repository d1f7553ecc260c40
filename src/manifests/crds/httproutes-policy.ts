import { AGE_COLUMN, column, crdVersion, defineCrd, editSchema, withoutProperty } from './define.js';
import {
  arrayOf,
  DNS_LABEL_PATTERN,
  DNS_SUBDOMAIN_PATTERN,
  groupName,
  int32,
  int64,
  kindName,
  object,
  objectName,
  port,
  resourceRoot,
  string,
} from './schema.js';
import type { JSONSchemaProps } from './types.js';

/**
 * policy.linkerd.io HTTPRoute: a trimmed copy of the Gateway API HTTPRoute (no CEL rules) that
 * Linkerd served before the Gateway API one existed. The storage version v1beta3 is written out;
 * older versions are derived from it.
 */

const HOSTNAME_PATTERN = '^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const PRECISE_HOSTNAME_PATTERN = DNS_SUBDOMAIN_PATTERN;
// Gateway API Duration (GEP-2257): up to four `<n><unit>` groups, e.g. `1h30m` or `500ms`.
const DURATION_PATTERN = '^([0-9]{1,5}(h|m|s|ms)){1,4}$';
const CONTROLLER_NAME_PATTERN =
  "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$";
const CONDITION_TYPE_PATTERN =
  '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$';
const CONDITION_REASON_PATTERN = '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$';

const namespaceName = (description: string) =>
  string({ description, minLength: 1, maxLength: 63, pattern: DNS_LABEL_PATTERN });

// RFC 7230 token characters, as the Gateway API (and upstream's copy of it) restricts header names.
const HEADER_NAME_PATTERN = "^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$";

const headerName = (description: string) =>
  string({ description, minLength: 1, maxLength: 256, pattern: HEADER_NAME_PATTERN });

const queryParamName = (description: string) => string({ description, minLength: 1, maxLength: 256 });

const parentRef = object(
  {
    group: groupName({ default: 'policy.linkerd.io' }),
    kind: kindName({ default: 'Gateway' }),
    name: objectName(),
    namespace: namespaceName('Namespace of the referent; the route namespace when unset.'),
    port: port({ description: 'Port of the parent the route attaches to.' }),
    sectionName: string({
      description: 'Section of the parent (a listener or a Service port name).',
      minLength: 1,
      maxLength: 253,
      pattern: DNS_SUBDOMAIN_PATTERN,
    }),
  },
  { description: 'A resource (a Server or Service) this route attaches to.', required: ['name'] },
);

const DEFAULT_MATCH = { path: { type: 'PathPrefix', value: '/' } };

function valueMatches(
  kind: string,
  name: (description: string) => JSONSchemaProps,
  valueMaxLength: number,
): JSONSchemaProps {
  return arrayOf(
    object(
      {
        name: name(`Name of the ${kind}.`),
        type: string({
          description: 'How the value is compared.',
          enum: ['Exact', 'RegularExpression'],
          default: 'Exact',
        }),
        value: string({ description: `Value of the ${kind}.`, maxLength: valueMaxLength }),
      },
      { required: ['name', 'value'] },
    ),
    { description: `${kind} conditions, all of which must match.`, maxItems: 16 },
  );
}

const match = object(
  {
    path: object(
      {
        type: string({
          description: 'How the path is compared.',
          enum: ['Exact', 'PathPrefix', 'RegularExpression'],
          default: 'PathPrefix',
        }),
        value: string({ description: 'The path to compare with.', maxLength: 1024, default: '/' }),
      },
      { description: 'Request path condition.', default: DEFAULT_MATCH.path },
    ),
    headers: valueMatches('HTTP header', headerName, 4096),
    queryParams: valueMatches('query parameter', queryParamName, 1024),
    method: string({
      description: 'HTTP method the request must use.',
      enum: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'],
    }),
  },
  { description: 'A request condition; every field set must match.' },
);

function headerModifier(description: string): JSONSchemaProps {
  const headers = (what: string) =>
    arrayOf(
      object(
        {
          name: headerName('Header name.'),
          value: string({ description: 'Header value.', minLength: 1, maxLength: 4096 }),
        },
        { required: ['name', 'value'] },
      ),
      { description: what, maxItems: 16 },
    );
  return object(
    {
      add: headers('Headers to append to existing values.'),
      set: headers('Headers to set, replacing existing values.'),
      remove: arrayOf(string(), { description: 'Names of headers to remove.', maxItems: 16 }),
    },
    { description },
  );
}

const requestRedirect = object(
  {
    scheme: string({ description: 'Scheme of the redirect location.', enum: ['http', 'https'] }),
    hostname: string({
      description: 'Hostname of the redirect location; the request host when unset.',
      minLength: 1,
      maxLength: 253,
      pattern: PRECISE_HOSTNAME_PATTERN,
    }),
    path: object(
      {
        type: string({ description: 'How the path is rewritten.', enum: ['ReplaceFullPath', 'ReplacePrefixMatch'] }),
        replaceFullPath: string({ description: 'Replacement for the whole path.', maxLength: 1024 }),
        replacePrefixMatch: string({ description: 'Replacement for the matched prefix.', maxLength: 1024 }),
      },
      { description: 'Path of the redirect location; the request path when unset.', required: ['type'] },
    ),
    port: port({ description: 'Port of the redirect location.' }),
    statusCode: {
      type: 'integer',
      description: 'Status code of the redirect response.',
      enum: [301, 302],
      default: 302,
    },
  },
  { description: 'Answers the request with a redirect.' },
);

function filters(types: string[]): JSONSchemaProps {
  return arrayOf(
    object(
      {
        type: string({ description: 'Which filter this is.', enum: types }),
        requestHeaderModifier: headerModifier('Modifies request headers.'),
        ...(types.includes('ResponseHeaderModifier')
          ? { responseHeaderModifier: headerModifier('Modifies response headers.') }
          : {}),
        requestRedirect,
      },
      { required: ['type'] },
    ),
    { description: 'Filters applied to matching requests, in order.', maxItems: 16 },
  );
}

const backendRef = object(
  {
    group: groupName({ default: '' }),
    kind: kindName({ default: 'Service' }),
    name: objectName(),
    namespace: namespaceName('Namespace of the backend; the route namespace when unset.'),
    port: port({ description: 'Port of the backend Service.' }),
    weight: int32({
      description: 'Share of the traffic, relative to the other backends.',
      minimum: 0,
      maximum: 1000000,
      default: 1,
    }),
    filters: filters(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect']),
  },
  { required: ['name'] },
);

const rule = object({
  matches: arrayOf(match, {
    description: 'Request conditions, any of which selects this rule.',
    maxItems: 8,
    default: [DEFAULT_MATCH],
  }),
  filters: filters(['RequestHeaderModifier', 'RequestRedirect']),
  backendRefs: arrayOf(backendRef, { description: 'Where matching requests are sent.', maxItems: 16 }),
  timeouts: object(
    {
      request: string({ description: 'Timeout for the whole request, retries included.', pattern: DURATION_PATTERN }),
      backendRequest: string({ description: 'Timeout for each request to a backend.', pattern: DURATION_PATTERN }),
    },
    { description: 'Timeouts of matching requests.' },
  ),
});

const routeCondition = object(
  {
    type: string({ description: 'Type of the condition.', maxLength: 316, pattern: CONDITION_TYPE_PATTERN }),
    status: string({ description: 'Status of the condition.', enum: ['True', 'False', 'Unknown'] }),
    observedGeneration: int64({ description: 'Object generation the condition was set for.', minimum: 0 }),
    lastTransitionTime: string({ description: 'Last time the status changed.', format: 'date-time' }),
    reason: string({
      description: 'CamelCase reason for the last transition.',
      minLength: 1,
      maxLength: 1024,
      pattern: CONDITION_REASON_PATTERN,
    }),
    message: string({ description: 'Human-readable details.', maxLength: 32768 }),
  },
  { required: ['lastTransitionTime', 'message', 'reason', 'status', 'type'] },
);

const status = object(
  {
    parents: arrayOf(
      object(
        {
          parentRef,
          controllerName: string({
            description: 'Controller that wrote this status entry.',
            minLength: 1,
            maxLength: 253,
            pattern: CONTROLLER_NAME_PATTERN,
          }),
          conditions: arrayOf(routeCondition, {
            description: 'State of the route for this parent.',
            minItems: 1,
            maxItems: 8,
          }),
        },
        { required: ['parentRef', 'controllerName'] },
      ),
      { description: 'Status of the route for each parent it attaches to.', maxItems: 32 },
    ),
  },
  { required: ['parents'] },
);

const v1beta3Spec = object({
  parentRefs: arrayOf(parentRef, { description: 'Resources this route attaches to.', maxItems: 32 }),
  hostnames: arrayOf(string({ minLength: 1, maxLength: 253, pattern: HOSTNAME_PATTERN }), {
    description: 'Hostnames (`Host` header values) this route applies to.',
    maxItems: 16,
  }),
  rules: arrayOf(rule, {
    description: 'Routing rules; the most specific match wins.',
    maxItems: 16,
    default: [{ matches: [DEFAULT_MATCH] }],
  }),
});

const v1beta2Spec = editSchema(v1beta3Spec, ['rules', '[]'], (r) => withoutProperty(r, 'timeouts'));

// The first versions knew backends by Service name only and did not bound parent ports.
const legacyBackendRef = object(
  {
    name: objectName(),
    port: port({ description: 'Port of the backend Service.' }),
    namespace: string({ description: 'Namespace of the backend.', default: 'default' }),
    filters: backendRef.properties?.filters ?? {},
  },
  { required: ['name'] },
);
const v1alpha1Spec = editSchema(
  editSchema(v1beta2Spec, ['parentRefs', '[]', 'port'], () =>
    int32({ description: 'Port of the parent the route attaches to.' }),
  ),
  ['rules', '[]', 'backendRefs'],
  (refs) => ({ ...refs, items: legacyBackendRef }),
);

const DESCRIPTION = 'Routes HTTP requests to a Server or Service by host, path, header, query or method.';
const version = (name: string, spec: JSONSchemaProps) =>
  crdVersion(name, resourceRoot(DESCRIPTION, { spec, status }), {
    statusSubresource: true,
    printerColumns: [column('Hostnames', '.spec.hostnames', 'string'), AGE_COLUMN],
  });

export const policyHttpRoutesCrd = defineCrd(
  { group: 'policy.linkerd.io', kind: 'HTTPRoute', plural: 'httproutes' },
  [
    version('v1alpha1', v1alpha1Spec),
    version('v1beta1', v1alpha1Spec),
    version('v1beta2', v1beta2Spec),
    version('v1beta3', v1beta3Spec),
  ],
  // Upstream ships this CRD with a trailing empty status block; kept so `kubectl diff` stays quiet.
  { acceptedNames: { kind: '', plural: '' }, conditions: [], storedVersions: [] },
);

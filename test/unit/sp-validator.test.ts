import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { handleServiceProfileReview } from '../../src/runtime/sp-validator/admission.js';
import { serviceProfileError } from '../../src/runtime/sp-validator/validate.js';
import { createLogger } from '../../src/runtime/shared/log.js';

const log = createLogger({
  component: 'test',
  level: 'error',
  format: 'json',
  destination: new Writable({ write: (_c, _e, done) => done() }),
});

function profile(spec: unknown, name = 'web.emojivoto.svc.cluster.local'): unknown {
  return {
    apiVersion: 'linkerd.io/v1alpha2',
    kind: 'ServiceProfile',
    metadata: { name, namespace: 'emojivoto' },
    spec,
  };
}

const route = (extra: Record<string, unknown> = {}) => ({ name: 'GET /', condition: { method: 'GET' }, ...extra });
const NAME = '"web.emojivoto.svc.cluster.local"';

test('a valid ServiceProfile passes', () => {
  const spec = {
    routes: [
      route({
        timeout: '300ms',
        isRetryable: true,
        responseClasses: [{ condition: { status: { min: 500, max: 599 } }, isFailure: true }],
      }),
      { name: 'any', condition: { any: [{ pathRegex: '/a' }, { not: { method: 'POST' } }] } },
    ],
    retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttl: '10s' },
    dstOverrides: [{ authority: 'web', weight: '500m' }],
  };
  assert.equal(serviceProfileError(profile(spec)), undefined);
});

const cases: [string, unknown, string][] = [
  [
    'an unknown field',
    profile({ routes: [route({ retries: 3 })] }),
    'failed to validate ServiceProfile: error unmarshaling JSON: while decoding JSON: json: unknown field "retries"',
  ],
  [
    'a wrong type',
    profile({ routes: [{ name: 7, condition: { method: 'GET' } }] }),
    'failed to validate ServiceProfile: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field RouteSpec.spec.routes.name of type string',
  ],
  [
    'a negative status',
    profile({ routes: [route({ responseClasses: [{ condition: { status: { min: -1 } } }] })] }),
    'failed to validate ServiceProfile: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number -1 into Go struct field Range.spec.routes.responseClasses.condition.status.min of type uint32',
  ],
  ['an invalid name', profile({ routes: [] }, 'Web'), 'ServiceProfile "Web" has invalid name: a lowercase RFC 1123'],
  ['a null route', profile({ routes: [null] }), `ServiceProfile ${NAME} has a null route`],
  [
    'a route without name',
    profile({ routes: [{ condition: { method: 'GET' } }] }),
    `ServiceProfile ${NAME} has a route with no name`,
  ],
  [
    'a bad timeout',
    profile({ routes: [route({ timeout: '5' })] }),
    `ServiceProfile ${NAME} has a route with an invalid timeout: time: missing unit in duration "5"`,
  ],
  ['no condition', profile({ routes: [{ name: 'x' }] }), `ServiceProfile ${NAME} has a route with no condition`],
  [
    'an empty condition',
    profile({ routes: [{ name: 'x', condition: {} }] }),
    `ServiceProfile ${NAME} has a route with an invalid condition: A request match must have a field set`,
  ],
  [
    'a null all entry',
    profile({ routes: [{ name: 'x', condition: { all: [null] } }] }),
    `ServiceProfile ${NAME} has a route with an invalid condition: null condition "all"`,
  ],
  [
    'a response class without condition',
    profile({ routes: [route({ responseClasses: [{ isFailure: true }] })] }),
    `ServiceProfile ${NAME} has a response class with no condition`,
  ],
  [
    'a null response class',
    profile({ routes: [route({ responseClasses: [null] })] }),
    `ServiceProfile ${NAME} has a null response class`,
  ],
  [
    'a status out of range',
    profile({ routes: [route({ responseClasses: [{ condition: { status: { min: 99 } } }] })] }),
    `ServiceProfile ${NAME} has a response class with an invalid condition: Range minimum must be between 100 and 599, inclusive`,
  ],
  [
    'max below min',
    profile({ routes: [route({ responseClasses: [{ condition: { status: { min: 500, max: 400 } } }] })] }),
    `ServiceProfile ${NAME} has a response class with an invalid condition: Range maximum cannot be smaller than minimum`,
  ],
  [
    'an empty response match',
    profile({ routes: [route({ responseClasses: [{ condition: { not: {} } }] })] }),
    `ServiceProfile ${NAME} has a response class with an invalid condition: A response match must have a field set`,
  ],
  [
    'a negative retry ratio',
    profile({ retryBudget: { retryRatio: -1, minRetriesPerSecond: 1, ttl: '1s' } }),
    `ServiceProfile ${NAME} RetryBudget RetryRatio must be non-negative: -1.000000`,
  ],
  [
    'a budget without ttl',
    profile({ retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 1 } }),
    `ServiceProfile ${NAME} RetryBudget missing TTL field`,
  ],
  [
    'a budget with a bad ttl',
    profile({ retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 1, ttl: '10x' } }),
    `ServiceProfile ${NAME} RetryBudget: time: unknown unit "x" in duration "10x"`,
  ],
];

for (const [what, obj, message] of cases) {
  test(`refuses ${what}`, () => {
    const err = serviceProfileError(obj);
    assert.ok(err?.startsWith(message), `${err}`);
  });
}

test('the webhook answers the review with allowed false, code 400 and the reason', async () => {
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'u1',
      kind: { group: 'linkerd.io', version: 'v1alpha2', kind: 'ServiceProfile' },
      object: profile({ routes: [null] }),
    },
  };
  const reply = await handleServiceProfileReview(JSON.stringify(review), log);
  assert.equal(reply.status, 200);
  const body = JSON.parse(reply.body) as {
    response: { uid: string; allowed: boolean; status: { code: number; message: string } };
  };
  assert.equal(body.response.uid, 'u1');
  assert.equal(body.response.allowed, false);
  assert.equal(body.response.status.code, 400);
  assert.equal(body.response.status.message, `ServiceProfile ${NAME} has a null route`);
});

test('the webhook allows other kinds and answers bad input with 400', async () => {
  const other = { request: { uid: 'u2', kind: { kind: 'Pod' }, object: { spec: 1 } } };
  const ok = JSON.parse((await handleServiceProfileReview(JSON.stringify(other), log)).body) as {
    response: { allowed: boolean };
  };
  assert.equal(ok.response.allowed, true);
  assert.equal((await handleServiceProfileReview('{not json', log)).status, 400);
  assert.equal((await handleServiceProfileReview('[]', log)).status, 400);
  assert.equal((await handleServiceProfileReview('{"request":{"uid":""}}', log)).status, 400);
});

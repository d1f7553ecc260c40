import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as admission from 'kubernetes-models/admissionregistration.k8s.io/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as rbac from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import type { KubeObject } from '../../src/manifests/install/context.js';
import { renderInstallManifest } from '../../src/manifests/install/manifest.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import type { Values } from '../../src/manifests/values/types.js';

type Model = new (data: Record<string, unknown>) => { validate(): void };

const MODELS: Record<string, Record<string, unknown>> = {
  v1: core,
  'apps/v1': apps,
  'batch/v1': batch,
  'policy/v1': policy,
  'rbac.authorization.k8s.io/v1': rbac,
  'admissionregistration.k8s.io/v1': admission,
};

/** Validates an emitted object against the Kubernetes OpenAPI schema of its apiVersion/kind. */
export function validateWithModel(obj: KubeObject): void {
  const model = MODELS[obj.apiVersion]?.[obj.kind] as Model | undefined;
  assert.ok(model, `no kubernetes-models class for ${obj.apiVersion}/${obj.kind}`);
  new model(obj as Record<string, unknown>).validate();
}

const fixture = (name: string): string => readFileSync(`test/fixtures/certs/${name}`, 'utf8');

/** Defaults with the fixed fixture credentials, so renders need no key generation for identity. */
export function valuesWithFixtureCerts(values: Values = defaultValues()): Values {
  return {
    ...values,
    identityTrustAnchorsPEM: fixture('trust-anchors.pem'),
    identity: {
      ...values.identity,
      issuer: {
        ...values.identity.issuer,
        tls: { crtPEM: fixture('issuer-crt.pem'), keyPEM: fixture('issuer-key.pem') },
      },
    },
  };
}

export const NOW = new Date('2026-05-06T07:08:09Z');

export async function render(values: Values): Promise<KubeObject[]> {
  const { objects } = await renderInstallManifest(values, {
    namespace: 'linkerd',
    now: NOW,
    createdBy: 'linkerd/cli edge-26.11.1',
  });
  return objects;
}

export const ids = (objects: KubeObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`);

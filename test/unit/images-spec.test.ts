// The image definitions (images/spec.ts) against what the manifests run: every image `l5d install`
// renders is one the build makes, under the same tag, and every program a container execs by path
// exists in that container's image.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Container } from '@kubernetes/client-node';
import { IMAGES, imageTag } from '../../images/spec.js';
import type { KubeObject } from '../../src/manifests/install/context.js';
import { defaultValues } from '../../src/manifests/values/defaults.js';
import type { Values } from '../../src/manifests/values/types.js';
import { render, valuesWithFixtureCerts } from './install-support.js';

/** Programs every Debian base has (coreutils), which manifests may exec without an image's help. */
const BASE_PROGRAMS = new Set(['/bin/sleep', 'true']);

interface Exec {
  where: string;
  image: string;
  program: string;
}

function containersOf(obj: KubeObject): V1Container[] {
  const pod = (
    obj as { spec?: { template?: { spec?: { containers?: V1Container[]; initContainers?: V1Container[] } } } }
  ).spec?.template?.spec;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
}

function execsOf(objects: KubeObject[]): Exec[] {
  return objects.flatMap((obj) =>
    containersOf(obj).flatMap((c) => {
      const commands = [
        c.command,
        c.lifecycle?.postStart?.exec?.command,
        c.lifecycle?.preStop?.exec?.command,
        c.livenessProbe?.exec?.command,
        c.readinessProbe?.exec?.command,
      ];
      const programs = commands.flatMap((cmd) => (cmd?.[0] ? [cmd[0]] : []));
      const where = `${obj.kind}/${obj.metadata.name} ${c.name}`;
      return [
        { where, image: c.image ?? '', program: '' },
        ...programs.map((program) => ({ where, image: c.image ?? '', program })),
      ];
    }),
  );
}

/** Installs with every optional exec turned on: await, preStop sleep, and (in turn) CNI mode. */
function variants(): Values[] {
  const base = valuesWithFixtureCerts(defaultValues());
  const proxy = { ...base.proxy, nativeSidecar: false, await: true, waitBeforeExitSeconds: 5 };
  return [false, true].map((cniEnabled) => ({ ...base, proxy, cniEnabled }));
}

test('every image and program the install manifests run comes from images/spec.ts', async () => {
  const seen = new Set<string>();
  for (const values of variants()) {
    for (const { where, image, program } of execsOf(await render(values))) {
      const [repository, tag] = image.split(/:(?=[^/:]+$)/);
      const spec = IMAGES.find((s) => s.repository === repository);
      assert.ok(spec, `${where}: ${image} is not an image the build makes`);
      assert.equal(tag, imageTag(), `${where}: ${image}`);
      seen.add(`${spec.target} ${program}`);
      if (program === '' || BASE_PROGRAMS.has(program)) continue;
      assert.ok(
        spec.wrappers.some((w) => w.path === program),
        `${where} execs ${program}, which the ${spec.target} image does not have`,
      );
    }
  }
  // The variants above really exercise the wrappers, not just the entrypoints.
  for (const spec of IMAGES.filter((s) => s.target !== 'debug')) {
    for (const w of spec.wrappers) assert.ok(seen.has(`${spec.target} ${w.path}`), `no manifest execs ${w.path}`);
  }
});

// What each l5d image contains. images/build.ts builds from this, and test/unit/dockerfile.test.ts
// holds the Dockerfile to the same content, so the two routes to an image cannot drift.
import {
  DEFAULT_CONTROLLER_IMAGE,
  DEFAULT_DEBUG_IMAGE,
  DEFAULT_PROXY_IMAGE,
  DEFAULT_REGISTRY,
} from '../src/manifests/values/defaults.js';
import { AWAIT_BINARY } from '../src/manifests/sidecar/proxy-container.js';
import { NETWORK_VALIDATOR_BINARY, PROXY_INIT_BINARY } from '../src/manifests/sidecar/init-container.js';
import { L5D_VERSION } from '../src/version.js';

/** Debian suite of every base: its nodejs (20.19) satisfies engines.node; bookworm's (18) does not. */
export const DEBIAN_SUITE = 'trixie';

/** Where the package lives in every runtime image (the Dockerfile's WORKDIR). */
export const APP_DIR = '/opt/l5d';

/** A program the manifests exec by path: a shell script that runs one of the package's entry points. */
export interface Wrapper {
  path: string;
  /** Entry point under APP_DIR/bin that the wrapper execs with node, passing its arguments on. */
  bin: string;
  /** Leading arguments, e.g. the controller component. */
  args?: string[];
  /**
   * The path holds the net-admin launcher (images/launcher) instead of a script: a program that
   * keeps the container's NET_ADMIN/NET_RAW across exec for a non-root UID under no_new_privs.
   */
  netAdminLauncher?: true;
}

export const LAUNCHER_SOURCE = 'images/launcher/net-admin-launcher.c';
/** File capabilities of a launcher: permitted and effective, so runc's grant survives its exec. */
export const LAUNCHER_CAPS = 'cap_net_admin,cap_net_raw+ep';

/** gcc's arguments that build `w`'s launcher from `source` into `out`, the same in both build routes. */
export function launcherBuildArgs(w: Wrapper, source: string, out: string): string[] {
  return [
    '-static',
    '-Os',
    '-s',
    '-Wall',
    '-Wextra',
    '-Werror',
    `-DTARGET="${APP_DIR}/bin/${w.bin}"`,
    '-o',
    out,
    source,
  ];
}

export interface ImageSpec {
  /** Short name, also the Dockerfile target. */
  target: 'controller' | 'proxy' | 'debug';
  /** Repository without tag, as `l5d install` renders it. */
  repository: string;
  /** Debian packages on top of the essential set. */
  packages: string[];
  /** Files that get `setcap cap_net_raw,cap_net_admin+eip`. */
  netAdminFiles: string[];
  wrappers: Wrapper[];
  /** Build outputs besides the common app tree, relative to the package root. */
  extraAppFiles: string[];
  user?: string;
  entrypoint: string[];
}

/** The policy container's `command` in the install manifests (src/manifests/install/controllers.ts). */
export const POLICY_CONTROLLER_BINARY = '/linkerd-policy-controller';

const RUNTIME_PACKAGES = ['nodejs', 'ca-certificates'];

export const IMAGES: readonly ImageSpec[] = [
  {
    target: 'controller',
    repository: DEFAULT_CONTROLLER_IMAGE,
    packages: RUNTIME_PACKAGES,
    netAdminFiles: [],
    wrappers: [{ path: POLICY_CONTROLLER_BINARY, bin: 'l5d-controller.js', args: ['policy'] }],
    extraAppFiles: [],
    user: '2103',
    entrypoint: ['node', `${APP_DIR}/bin/l5d-controller.js`],
  },
  {
    target: 'proxy',
    repository: DEFAULT_PROXY_IMAGE,
    packages: [...RUNTIME_PACKAGES, 'iptables'],
    // linkerd-init runs proxy-init as a non-root UID with only NET_ADMIN/NET_RAW: as upstream, the
    // xtables binaries carry those as file capabilities so iptables works from that UID.
    netAdminFiles: ['/usr/sbin/xtables-legacy-multi', '/usr/sbin/xtables-nft-multi'],
    wrappers: [
      { path: PROXY_INIT_BINARY, bin: 'l5d-proxy-init.js', netAdminLauncher: true },
      { path: AWAIT_BINARY, bin: 'l5d-await.js' },
      { path: NETWORK_VALIDATOR_BINARY, bin: 'l5d-network-validator.js' },
    ],
    // dist/runtime/proxy loads the SO_ORIGINAL_DST addon from <root>/native/build/Release.
    extraAppFiles: ['native/build/Release/orig_dst.node'],
    user: '2102',
    entrypoint: ['node', `${APP_DIR}/bin/l5d-proxy.cjs`],
  },
  {
    target: 'debug',
    repository: DEFAULT_DEBUG_IMAGE,
    packages: [...RUNTIME_PACKAGES, 'curl', 'dnsutils', 'iproute2', 'iptables', 'netcat-openbsd', 'procps', 'tcpdump'],
    netAdminFiles: [],
    wrappers: [],
    extraAppFiles: [],
    entrypoint: ['/bin/sh', '-c', 'trap : TERM INT; sleep infinity & wait'],
  },
];

/** The pod sandbox image containerd's `sandbox_image` names. */
export const PAUSE_IMAGE = { repository: `${DEFAULT_REGISTRY}/pause`, tag: '3.10', user: '65535:65535' } as const;

export const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Environment of every runtime image. */
export const RUNTIME_ENV = [PATH_ENV, 'NODE_ENV=production'];

/** The package's files every runtime image carries under APP_DIR. */
export const APP_FILES = ['package.json', 'dist', 'bin', 'node_modules'];

export const imageTag = (): string => L5D_VERSION;

export const imageRef = (spec: Pick<ImageSpec, 'repository'>, tag: string = imageTag()): string =>
  `${spec.repository}:${tag}`;

/** The shell script a wrapper path holds, byte for byte the same in both build routes. */
export function wrapperScript(w: Wrapper): string {
  const args = [...(w.args ?? []), '"$@"'].join(' ');
  return `#!/bin/sh\nexec node ${APP_DIR}/bin/${w.bin} ${args}\n`;
}

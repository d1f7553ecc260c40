import { checkKubeconfigFile, checkReferencedFile, defaultKubeconfigFiles, safeMessage } from './kubeconfig-file.js';

export interface KubeConnectionOptions {
  /** `--kubeconfig`; empty means `$KUBECONFIG`, then `~/.kube/config`, then in-cluster. */
  kubeconfig?: string;
  /** `--context`; overrides current-context. */
  context?: string;
  /** `--as`; impersonated user. */
  as?: string;
  /** `--as-group`; only effective together with `as`, as in kubectl. */
  asGroups?: string[];
}

export interface ResolvedConnection {
  server: string;
  namespace: string | undefined;
  headers: Record<string, string | string[]>;
  tls: {
    ca?: Buffer | string;
    cert?: Buffer | string;
    key?: Buffer | string;
    rejectUnauthorized: boolean;
    servername?: string;
  };
}

/**
 * Resolves kubeconfig loading rules and credentials. @kubernetes/client-node is imported lazily:
 * it costs about half a second to load, and commands that never touch a cluster must not pay it.
 */
export async function resolveConnection(options: KubeConnectionOptions): Promise<ResolvedConnection> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  // Every file is checked (bounded, text, kubeconfig-shaped) before client-node reads it: its own
  // errors can be a bare TypeError, or quote the file's bytes.
  const files = options.kubeconfig ? [options.kubeconfig] : defaultKubeconfigFiles();
  for (const file of files) checkKubeconfigFile(file);
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new Error(`error loading config file "${files[0] ?? ''}": ${safeMessage(err)}`);
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) throw new Error(`context "${options.context}" does not exist`);
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('invalid configuration: no configuration has been provided');
  checkReferencedFile('certificate-authority', cluster.caFile);
  checkReferencedFile('client-certificate', kc.getCurrentUser()?.certFile);
  checkReferencedFile('client-key', kc.getCurrentUser()?.keyFile);
  const https: {
    headers?: Record<string, string | string[] | number>;
    ca?: Buffer | string;
    cert?: Buffer | string;
    key?: Buffer | string;
    rejectUnauthorized?: boolean;
    servername?: string;
    auth?: string;
  } = { headers: {} };
  await kc.applyToHTTPSOptions(https as Parameters<typeof kc.applyToHTTPSOptions>[0]);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(https.headers ?? {}))
    headers[k.toLowerCase()] = typeof v === 'number' ? String(v) : v;
  if (https.auth) headers.authorization = `Basic ${Buffer.from(https.auth).toString('base64')}`;
  if (options.as) {
    headers['impersonate-user'] = options.as;
    if (options.asGroups && options.asGroups.length > 0) headers['impersonate-group'] = options.asGroups;
  }
  const contextNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return {
    server: cluster.server,
    namespace: contextNamespace,
    headers,
    tls: {
      ...(https.ca === undefined ? {} : { ca: https.ca }),
      ...(https.cert === undefined ? {} : { cert: https.cert }),
      ...(https.key === undefined ? {} : { key: https.key }),
      rejectUnauthorized: https.rejectUnauthorized ?? true,
      ...(https.servername === undefined ? {} : { servername: https.servername }),
    },
  };
}

import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { L5D_VERSION } from '../version.js';
import { renderVersion } from '../versions/render.js';

export default class Version extends BaseCommand {
  static override summary = 'Print the client and server version information';
  static override flags = {
    client: Flags.boolean({ default: false, summary: 'Print the client version only' }),
    short: Flags.boolean({ default: false, summary: 'Print the version number(s) only, with no additional output' }),
    proxy: Flags.boolean({ default: false, summary: 'Print data-plane proxy version information' }),
    namespace: Flags.string({
      char: 'n',
      default: '',
      summary: 'Namespace to use for --proxy versions (default: all namespaces)',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    if (flags.client) {
      this.emit(renderVersion({ client: L5D_VERSION }, flags.short));
      return;
    }
    const [{ KubeClient }, { fetchServerVersion, SERVER_VERSION_TIMEOUT_MS }, { fetchProxyVersions }] =
      await Promise.all([import('../kube/client.js'), import('../versions/server.js'), import('../versions/proxy.js')]);
    let client;
    try {
      // A server that accepts TCP but never finishes TLS must not outlast the version bound.
      client = await KubeClient.connect(this.root.kube, { connectTimeoutMs: SERVER_VERSION_TIMEOUT_MS });
    } catch (err) {
      throw new Error(`error configuring Kubernetes API client: ${(err as Error).message}`);
    }
    try {
      const server = (await fetchServerVersion(client, this.root.namespace)) ?? null;
      const proxies = flags.proxy
        ? ((await fetchProxyVersions(client, this.root.namespace, flags.namespace)) ?? null)
        : undefined;
      this.emit(
        renderVersion({ client: L5D_VERSION, server, ...(proxies === undefined ? {} : { proxies }) }, flags.short),
      );
    } finally {
      await client.close();
    }
  }
}

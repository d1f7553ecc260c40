import { BaseCommand } from '../cli/base-command.js';
import { ExitError } from '../cli/errors.js';
import { installCommandFlags, installOnlyFlags, installUpgradeFlags, valueFlags } from '../manifests/install/flags.js';
import { proxyFlags } from '../manifests/values/proxy-flags.js';
import { L5D_VERSION } from '../version.js';

export default class Install extends BaseCommand {
  static override summary = 'Output Kubernetes configs to install Linkerd';
  static override description =
    'Output Kubernetes configs to install Linkerd.\n\nThis command provides all Kubernetes configs necessary to install the Linkerd control plane. It does not include the CRDs; render them first with --crds.';
  static override examples = [
    'l5d install --crds | kubectl apply -f -',
    'l5d install | kubectl apply -f -',
    'l5d install --ha --set proxyInit.runAsRoot=true | kubectl apply -f -',
  ];
  static override flags = {
    ...installOnlyFlags,
    ...installUpgradeFlags,
    ...proxyFlags,
    ...valueFlags,
    ...installCommandFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Install);
    const [
      { runInstall, runInstallCrds },
      { InstallRefusal },
      { applyProxyFlags },
      { proxyFlagValues },
      { KubeClient },
    ] = await Promise.all([
      import('../manifests/install/flow.js'),
      import('../manifests/install/prechecks.js'),
      import('../manifests/values/apply-proxy-flags.js'),
      import('../manifests/values/proxy-flags.js'),
      import('../kube/client.js'),
    ]);
    const request = {
      namespace: this.root.namespace,
      version: L5D_VERSION,
      now: new Date(),
      flags,
      valueFlags: { values: flags.values, set: flags.set, setString: flags['set-string'], setFile: flags['set-file'] },
      ignoreCluster: flags['ignore-cluster'],
      output: flags.output,
      // KubeClient bounds every request by 30 s, the timeout Linkerd gives the install client.
      connect: () => KubeClient.connect(this.root.kube),
      applyProxyFlags: (values: Parameters<typeof applyProxyFlags>[0]) =>
        applyProxyFlags(values, proxyFlagValues(flags)),
    };
    try {
      const result = flags.crds ? await runInstallCrds(request) : await runInstall(request);
      this.emit(result.stdout);
      process.stderr.write(result.stderr);
    } catch (err) {
      if (err instanceof InstallRefusal) throw new ExitError(err.message);
      throw err;
    }
  }
}

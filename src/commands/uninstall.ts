import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { ExitError } from '../cli/errors.js';

export default class Uninstall extends BaseCommand {
  static override summary = 'Output Kubernetes resources to uninstall Linkerd control plane';
  static override description =
    'Output Kubernetes resources to uninstall Linkerd control plane.\n\nThis command provides all Kubernetes namespace-scoped and cluster-scoped resources (e.g services, deployments, RBACs, etc.) necessary to uninstall Linkerd control plane.';
  static override examples = ['l5d uninstall | kubectl delete -f -'];
  static override flags = {
    force: Flags.boolean({
      char: 'f',
      default: false,
      description: 'Force uninstall even if there exist non-control-plane injected pods',
    }),
    output: Flags.string({
      char: 'o',
      default: 'yaml',
      options: ['yaml', 'json'],
      description: 'Output format. One of: json|yaml',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Uninstall);
    const [{ KubeClient }, { kubeLister }, { findBlockers, listInstalledResources }, { renderStubs }] =
      await Promise.all([
        import('../kube/client.js'),
        import('../uninstall/kube-lister.js'),
        import('../uninstall/plan.js'),
        import('../uninstall/render.js'),
      ]);
    const client = await KubeClient.connect(this.root.kube);
    try {
      const lister = kubeLister(client);
      if (!flags.force) {
        const blockers = await findBlockers(lister, this.root.namespace);
        if (blockers.length > 0) throw new ExitError(blockers.join(''), 1);
      }
      const stubs = await listInstalledResources(lister);
      if (stubs.length === 0) {
        this.warnLine('No resources found to uninstall');
        return;
      }
      this.emit(renderStubs(stubs, flags.output === 'json' ? 'json' : 'yaml'));
    } finally {
      await client.close();
    }
  }
}

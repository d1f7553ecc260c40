import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { UsageError } from '../cli/errors.js';
import { extensionCheckFlags } from '../checks/extensions.js';
import { validateCheckFlags, type OutputFormat } from '../checks/flags.js';
import { parseGoDuration } from '../util/go-duration.js';
import { L5D_VERSION } from '../version.js';

export default class Check extends BaseCommand {
  static override summary = 'Check the Linkerd installation for potential problems';
  static override description =
    'Check the Linkerd installation for potential problems.\n\nThe check command will perform a series of checks to validate that the linkerd CLI and control plane are configured correctly. If the command encounters a failure it will print additional information about the failure and exit with a non-zero exit code.';
  static override examples = [
    'l5d check',
    'l5d check --pre --linkerd-namespace test',
    'l5d check --proxy --namespace app',
  ];
  static override flags = {
    pre: Flags.boolean({
      default: false,
      summary: 'Only run pre-installation checks, to determine if the control plane can be installed',
    }),
    crds: Flags.boolean({
      default: false,
      summary: 'Only run checks which determine if the Linkerd CRDs have been installed',
    }),
    proxy: Flags.boolean({
      default: false,
      summary: 'Only run data-plane checks, to determine if the data plane is healthy',
    }),
    namespace: Flags.string({
      char: 'n',
      default: '',
      summary: 'Namespace to use for --proxy checks (default: all namespaces)',
    }),
    'linkerd-cni-enabled': Flags.boolean({
      default: false,
      summary:
        'When running pre-installation checks (--pre), assume the linkerd-cni plugin is already installed, and a NET_ADMIN check is not needed',
    }),
    output: Flags.string({ char: 'o', default: 'table', summary: 'Output format. One of: table, json, short' }),
    wait: Flags.string({ default: '5m0s', summary: 'Maximum allowed time for all tests to pass' }),
    'expected-version': Flags.string({
      default: '',
      summary: 'Overrides the version used when checking if Linkerd is running the latest version (mostly for testing)',
    }),
    'cli-version-override': Flags.string({
      default: '',
      summary: 'Used to override the version of the cli (mostly for testing)',
    }),
    'fail-on-warnings': Flags.boolean({
      default: false,
      summary: 'Exit with a non-zero status when any check warns (for CI gates)',
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Check);
    const invalid = validateCheckFlags({ ...flags, linkerdCniEnabled: flags['linkerd-cni-enabled'] });
    if (invalid !== undefined) throw new UsageError(invalid);
    let waitMs: number;
    try {
      waitMs = parseGoDuration(flags.wait);
    } catch (err) {
      throw new UsageError(`invalid argument "${flags.wait}" for "--wait" flag: ${(err as Error).message}`);
    }
    const mode = flags.pre ? 'pre' : flags.crds ? 'crds' : flags.proxy ? 'proxy' : 'control-plane';
    const { loadCheckManifests } = await import('../checks/manifest-inputs.js');
    const manifests = await loadCheckManifests(mode, this.root.namespace);
    const { runCheckCli } = await import('../checks/cli-run.js');
    const code = await runCheckCli({
      mode,
      output: flags.output as OutputFormat,
      waitMs,
      failOnWarnings: flags['fail-on-warnings'],
      verbose: this.root.verbose,
      kube: this.root.kube,
      options: {
        namespace: this.root.namespace,
        cniNamespace: this.root.cniNamespace,
        dataPlaneNamespace: flags.namespace,
        cliVersion: flags['cli-version-override'] || L5D_VERSION,
        expectedVersion: flags['expected-version'],
        linkerdCniEnabled: flags['linkerd-cni-enabled'],
      },
      ...manifests,
      extensionFlags: extensionCheckFlags({
        apiAddr: this.root.apiAddr,
        context: flags.context,
        as: flags.as,
        asGroups: flags['as-group'],
        kubeconfig: flags.kubeconfig,
        linkerdNamespace: this.root.namespace,
        verbose: this.root.verbose,
        namespace: flags.namespace,
        proxy: flags.proxy,
        wait: flags.wait,
      }),
    });
    if (code !== 0) this.exit(code);
  }
}

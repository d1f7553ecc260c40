import { Args } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { colorFor } from '../cli/color.js';
import { UsageError } from '../cli/errors.js';
import { allInjectFlags } from '../manifests/inject/flags.js';

export default class Inject extends BaseCommand {
  static override summary = 'Add the Linkerd proxy to a Kubernetes config';
  static override description =
    'Add the Linkerd proxy to a Kubernetes config.\n\nYou can inject resources contained in a single file, inside a folder and its sub-folders, or coming from stdin.';
  static override examples = [
    'kubectl get deploy -o yaml | l5d inject - | kubectl apply -f -',
    'l5d inject https://url.to/yml | kubectl apply -f -',
    'l5d inject <folder> | kubectl apply -f -',
  ];
  static override args = { config: Args.string({ description: 'CONFIG-FILE', required: false }) };
  static override strict = false;
  static override flags = allInjectFlags;

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Inject);
    if (!args.config) throw new UsageError('please specify a kubernetes resource file');
    const [{ readInputs }, { runInject }, { injectSettings }] = await Promise.all([
      import('../manifests/inject/input.js'),
      import('../manifests/inject/pipeline.js'),
      import('../manifests/inject/settings.js'),
    ]);
    const settings = await injectSettings(flags, this.root);
    const sources = await readInputs(args.config);
    const out = runInject(sources, { ...settings, verbose: this.root.verbose, color: colorFor(process.stderr) });
    this.emit(out.stdout);
    process.stderr.write(out.stderr);
    if (out.exitCode !== 0) this.exit(out.exitCode);
  }
}

import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { UsageError } from '../cli/errors.js';

export default class Uninject extends BaseCommand {
  static override summary = 'Remove the Linkerd proxy from a Kubernetes config';
  static override description =
    'Remove the Linkerd proxy from a Kubernetes config.\n\nYou can uninject resources contained in a single file, inside a folder and its sub-folders, or coming from stdin.';
  static override examples = [
    'kubectl get deploy -o yaml | l5d uninject - | kubectl apply -f -',
    'l5d uninject https://url.to/yml | kubectl apply -f -',
    'l5d uninject <folder> | kubectl apply -f -',
  ];
  static override args = { config: Args.string({ description: 'CONFIG-FILE', required: false }) };
  static override strict = false;
  static override flags = {
    output: Flags.string({ char: 'o', default: 'yaml', description: 'Output format, one of: json|yaml' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Uninject);
    if (!args.config) throw new UsageError('please specify a kubernetes resource file');
    if (flags.output !== 'yaml' && flags.output !== 'json') throw new Error(`unsupported format ${flags.output}`);
    const [{ readInputs }, { runUninject }] = await Promise.all([
      import('../manifests/inject/input.js'),
      import('../manifests/inject/pipeline.js'),
    ]);
    const out = runUninject(await readInputs(args.config), flags.output);
    this.emit(out.stdout);
    process.stderr.write(out.stderr);
    if (out.exitCode !== 0) this.exit(out.exitCode);
  }
}

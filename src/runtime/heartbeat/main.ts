import { L5D_VERSION } from '../../version.js';
import { connectKube } from '../shared/kube.js';
import { controllerLogger, fatal, parseControllerFlags } from '../shared/process.js';
import { HEARTBEAT_FLAGS } from './flags.js';
import { collectReport, encodeReport } from './report.js';

const TIMEOUT_MS = 10_000;

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return res.json();
}

/**
 * The heartbeat CronJob's program. It sends the report only to `-heartbeat-url`, which the user
 * configures (values `heartbeat.url`); without one it logs what it would send and exits 0.
 */
export async function main(argv: readonly string[]): Promise<void> {
  const { values: flags } = parseControllerFlags(argv, HEARTBEAT_FLAGS);
  const log = controllerLogger('heartbeat', flags['log-level'], flags['log-format']);
  log.info(`running version ${L5D_VERSION}`);
  const target = flags['heartbeat-url'];
  let url: URL | undefined;
  if (target !== '') {
    try {
      url = new URL(target);
    } catch {
      fatal(log, `invalid -heartbeat-url: ${target}`);
    }
  }
  const kube = await connectKube(flags.kubeconfig).catch((err: unknown) =>
    fatal(log, `failed to initialize Kubernetes client: ${(err as Error).message}`),
  );
  const prometheusUrl = flags['prometheus-url'].replace(/\/+$/, '');
  const report = await collectReport({
    kube,
    controllerNamespace: flags['controller-namespace'],
    // Prometheus is read only for a report that will be sent.
    ...(url === undefined
      ? {}
      : { prometheus: (query: string) => getJson(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`) }),
    warn: (m) => log.warn(m),
  });
  await kube.close();
  const query = encodeReport(report);
  if (url === undefined) {
    log.info(`no heartbeat URL configured; not sending the report: ${query}`);
    return;
  }
  url.search = query;
  log.info(`sending heartbeat: ${url.toString()}`);
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch((err: unknown) =>
    fatal(log, `failed to send heartbeat: ${(err as Error).message}`),
  );
  const body = (await res.text()).slice(0, 4096);
  if (res.status !== 200) fatal(log, `heartbeat request failed with HTTP ${res.status}: ${body}`);
  log.info(`heartbeat sent: ${body}`);
}

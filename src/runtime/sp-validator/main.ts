import { Registry } from 'prom-client';
import { L5D_VERSION } from '../../version.js';
import { startAdminServer } from '../shared/admin.js';
import {
  controllerLogger,
  fatal,
  keepServingOnUnexpectedErrors,
  onShutdown,
  parseControllerFlags,
} from '../shared/process.js';
import { keyPairIn, startWebhookServer } from '../shared/webhook-server.js';
import { handleServiceProfileReview } from './admission.js';
import { SP_VALIDATOR_FLAGS } from './flags.js';

export async function main(argv: readonly string[]): Promise<void> {
  const { values: flags } = parseControllerFlags(argv, SP_VALIDATOR_FLAGS);
  const log = controllerLogger('sp-validator', flags['log-level'], flags['log-format']);
  keepServingOnUnexpectedErrors(log);
  log.info(`running version ${L5D_VERSION}`);
  const registry = new Registry();
  const admin = await startAdminServer(flags['metrics-addr'], registry);
  let server;
  try {
    server = await startWebhookServer(
      flags.addr,
      keyPairIn(flags['tls-dir']),
      (body) => handleServiceProfileReview(body, log),
      log,
    );
  } catch (err) {
    fatal(log, `failed to start webhook server: ${(err as Error).message}`);
  }
  log.info(`listening at ${server.address.host}:${server.address.port}`);
  const webhook = server;
  // No informers: ready as soon as the webhook listens.
  admin.setReady(true);
  onShutdown(log, async () => {
    await webhook.close();
    await admin.close();
  });
}

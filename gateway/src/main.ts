// Entry point: flags/env → gateway; SIGTERM/SIGINT → drain → exit 0.
import { startGateway } from './gateway.ts';
import { parseGatewayConfig } from './gateway-config.ts';
import { createJsonLogger, errorFields } from './logger.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = parseGatewayConfig(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`gateway: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  const logger = createJsonLogger(config.logLevel);
  process.on('uncaughtException', (err) => {
    logger.error('uncaught exception', { ...errorFields(err), stack: err.stack });
    process.exit(1);
  });
  const gateway = await startGateway({
    routesFile: config.routes,
    host: config.host,
    httpPort: config.httpPort,
    grpcPort: config.grpcPort,
    adminPort: config.adminPort,
    drainDelayMs: config.drainDelayMs,
    drainTimeoutMs: config.drainTimeoutMs,
    trustedHops: config.trustedHops,
    reloadDebounceMs: config.reloadDebounceMs,
    upstreamConnections: config.upstreamConnections,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    publishTimeoutMs: config.publishTimeoutMs,
    pubsubProjectId: config.pubsubProject,
    jwksCooldownMs: config.jwksCooldownMs,
    logger,
  });
  const stop = (signal: string): void => {
    logger.info('signal received', { signal });
    gateway.drain().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error('drain failed', errorFields(err));
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: 'gateway failed to start', ...errorFields(err) })}\n`);
  process.exit(1);
});

// Entry point: flags/env → gateway; SIGTERM/SIGINT → drain → exit 0.
import { startGateway } from './gateway.ts';
import { parseGatewayConfig } from './gateway-config.ts';
import { createJsonLogger, errorFields } from './logger.ts';
import type { Tracing } from './tracing.ts';

/** The bundle's version (the image tag says which build); spans carry it as service.version. */
const VERSION = process.env.GATEWAY_VERSION ?? '0.1.0';

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
  // The SDK is loaded only when tracing is on: off, its code is never evaluated.
  let tracing: Tracing | undefined;
  if (config.tracing !== undefined) {
    const { createSdkTracing } = await import('./tracing-sdk.ts');
    tracing = createSdkTracing(config.tracing, logger, VERSION);
    logger.info('tracing on', { tracesUrl: config.tracing.tracesUrl, sampler: config.tracing.sampler, ratio: config.tracing.ratio, serviceName: config.tracing.serviceName });
  }
  if (config.logProject === undefined) logger.warn('no project for the trace field of access lines (--log-project, GATEWAY_LOG_PROJECT or GOOGLE_CLOUD_PROJECT)');
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
    tracing,
    logProject: config.logProject,
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
  process.stderr.write(`${JSON.stringify({ severity: 'ERROR', time: new Date().toISOString(), message: 'gateway failed to start', ...errorFields(err) })}\n`);
  process.exit(1);
});

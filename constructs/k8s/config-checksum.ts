/**
 * The pod-template annotation that rolls a Deployment when its mounted config changes:
 * `<label prefix>/config-checksum: <sha256 of the config>`. Nginx, Kong, the Alertmanager and
 * the OpenTelemetry Collector carry it (the gateway hot-reloads its routes instead).
 */
import { createHash } from 'node:crypto';

export function configChecksumAnnotation(labelPrefix: string, config: string): Record<string, string> {
  return { [`${labelPrefix}/config-checksum`]: createHash('sha256').update(config).digest('hex') };
}

/**
 * Cross-field checks of the objectives, on the resolved values (defaults included): a latency
 * threshold is a bucket boundary of the histogram its SLI reads (the message lists the valid
 * ones), streams and consumers carry only the objectives they can be measured by, and a
 * production environment whose objectives page has somewhere to page.
 */
import type { z } from 'zod';
import type { Environment } from '../schema.ts';
import { LATENCY_METRIC, isRequestResponse, latencyBucketsMs, resolveServiceSlo, sliSource } from '../slo-defaults.ts';

type Ctx = Pick<z.core.$RefinementCtx<unknown>, 'addIssue'>;

const SOURCE_NAMES = { kong: "Kong 3.9.3's prometheus plugin", istio: "Istio's standard metrics at the server's sidecar" } as const;

export function checkSlos(env: Environment, ctx: Ctx): void {
  let pages = false;
  env.services.forEach((svc, i) => {
    const at = (...rest: (string | number)[]): (string | number)[] => ['services', i, 'slo', ...rest];
    const given = svc.slo;
    if (given?.freshness && svc.kind !== 'event-consumer') {
      ctx.addIssue({ code: 'custom', path: at('freshness'), message: `freshness is the objective of an event-consumer, not of a ${svc.kind}` });
    }
    if (svc.kind === 'event-consumer' && given?.latency) {
      ctx.addIssue({ code: 'custom', path: at('latency'), message: 'an event-consumer answers no requests: its objective is freshness' });
    }
    if (given?.latency && !isRequestResponse(svc)) {
      ctx.addIssue({
        code: 'custom',
        path: at('latency'),
        message: `a ${svc.protocol} ${svc.kind} has no latency objective (streams are judged by the share of sessions that end abnormally); remove it`,
      });
    }
    const resolved = resolveServiceSlo(env.tier, svc);
    if (resolved.page) pages = true;
    const source = sliSource(svc);
    const buckets = source === 'kong' || source === 'istio' ? latencyBucketsMs(source) : undefined;
    if (resolved.latency && buckets && !buckets.includes(resolved.latency.thresholdMs) && (source === 'kong' || source === 'istio')) {
      const where = given?.latency ? at('latency', 'thresholdMs') : at('latency');
      ctx.addIssue({
        code: 'custom',
        path: where,
        message:
          `${resolved.latency.thresholdMs} ms is not a bucket boundary of ${LATENCY_METRIC[source]} (${SOURCE_NAMES[source]}), so the SLI could not count requests under it; ` +
          `valid thresholds (ms): ${buckets.join(', ')}`,
      });
    }
  });
  if (env.tier === 'production' && env.topics.some((t) => t.ingest)) pages = true;
  if (env.tier === 'production' && pages && !env.observability.alerting.page) {
    ctx.addIssue({
      code: 'custom',
      path: ['observability', 'alerting', 'page'],
      message: 'a production environment whose objectives page needs a page channel (pagerduty, slack or webhook)',
    });
  }
}

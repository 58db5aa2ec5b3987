/** Long-running containers tell Kubernetes when they are alive and when they are ready. */
import { get, type KubernetesObject, type Rule } from '../engine.ts';
import { eachContainer } from '../rule-scopes.ts';

/** Jobs run to completion: liveness and readiness mean nothing for them. */
const RUN_TO_COMPLETION = ['Job', 'CronJob'];

export const containerProbes: Rule = {
  id: 'K8S004',
  severity: 'error',
  description: 'Long-running containers have liveness and readiness probes',
  rationale:
    'Without a readiness probe a Service sends traffic to pods that are still starting or draining; without a liveness probe a deadlocked process is never restarted.',
  remediation: 'set livenessProbe and readinessProbe (httpGet, grpc or tcpSocket) on every container',
  equivalents: {
    checkov: ['CKV_K8S_8', 'CKV_K8S_9'],
    kubeScore: ['pod-probes'],
    polaris: ['livenessProbeMissing', 'readinessProbeMissing'],
    kyverno: ['require-pod-probes'],
  },
  check: eachContainer(
    'containers',
    ({ container }) => {
      const missing = ['livenessProbe', 'readinessProbe'].filter((p) => get(container, p) === undefined);
      return missing.length === 0
        ? undefined
        : { message: `no ${missing.join(' and no ')}`, remediation: `set ${missing.join(' and ')} (httpGet, grpc or tcpSocket)` };
    },
    (o: KubernetesObject) => !RUN_TO_COMPLETION.includes(o.kind),
  ),
};

/**
 * GPU isolation: a pod that tolerates the GPU taint must request GPUs and select a GPU node;
 * a pod that requests GPUs must tolerate the taint (or it never schedules).
 */
import { get, kubernetesAddress, podSpecOf, type Rule } from '../engine.ts';
import { GPU_TAINT_KEY, GPU_TAINT_VALUE } from './gke-gpu-pools.ts';

const ACCELERATOR_LABEL = 'cloud.google.com/gke-accelerator';

/** Whether a toleration lets a pod onto nodes with the GPU taint (Kubernetes toleration matching). */
function toleratesGpuTaint(t: unknown): boolean {
  const key = get(t, 'key');
  const operator = get(t, 'operator') ?? 'Equal';
  const effect = get(t, 'effect');
  if (effect !== undefined && effect !== '' && effect !== 'NoSchedule') return false;
  if (key === undefined || key === '') return operator === 'Exists'; // tolerates every taint
  if (key !== GPU_TAINT_KEY) return false;
  return operator === 'Exists' || get(t, 'value') === GPU_TAINT_VALUE;
}

export const gpuIsolation: Rule = {
  id: 'K8S002',
  severity: 'error',
  description: 'Only pods that request nvidia.com/gpu tolerate the GPU taint, and they select an accelerator',
  rationale:
    'GPU nodes are tainted (GKE040) so that only GPU work lands there; a pod that tolerates the taint without requesting a GPU occupies a GPU node, and one that requests a GPU without tolerating it never schedules.',
  remediation: 'tolerate nvidia.com/gpu=present:NoSchedule and select cloud.google.com/gke-accelerator exactly when requesting nvidia.com/gpu',
  equivalents: {},
  check: ({ env, kubernetes }) =>
    kubernetes
      .flatMap(({ file, object }) => {
        const pod = podSpecOf(object);
        if (pod === undefined) return [];
        const containers = (get(pod, 'containers') as unknown[] | undefined) ?? [];
        const requestsGpu = containers.some((c) => Number(get(c, 'resources', 'limits', GPU_TAINT_KEY) ?? 0) > 0);
        const tolerations = (get(pod, 'tolerations') as unknown[] | undefined) ?? [];
        const toleratesGpu = tolerations.some(toleratesGpuTaint);
        const target = { env, file, address: kubernetesAddress(object) };
        const problems: { message: string; remediation: string }[] = [];
        if (toleratesGpu && !requestsGpu) {
          problems.push({
            message: 'tolerates the GPU taint without requesting a GPU: it would occupy GPU nodes',
            remediation: 'remove the nvidia.com/gpu toleration, or request nvidia.com/gpu in resources.limits',
          });
        }
        if (requestsGpu && !toleratesGpu) {
          problems.push({ message: 'requests a GPU but does not tolerate the GPU taint: it will never schedule', remediation: 'add a toleration for nvidia.com/gpu=present:NoSchedule' });
        }
        if (requestsGpu && typeof get(pod, 'nodeSelector', ACCELERATOR_LABEL) !== 'string') {
          problems.push({ message: `requests a GPU without selecting ${ACCELERATOR_LABEL}`, remediation: `set nodeSelector["${ACCELERATOR_LABEL}"] to the accelerator type` });
        }
        return problems.map((p) => ({ target, ...p }));
      }),
};

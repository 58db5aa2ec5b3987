/**
 * GPU isolation: a pod that tolerates the GPU taint must request GPUs and select a GPU node;
 * a pod that requests GPUs must tolerate the taint (or it never schedules).
 */
import { get, kubernetesAddress, type Rule } from '../engine.ts';
import { GPU_TAINT_KEY } from './node-pool-hardening.ts';

const ACCELERATOR_LABEL = 'cloud.google.com/gke-accelerator';

export const gpuIsolation: Rule = {
  id: 'K8S002',
  severity: 'error',
  description: 'Only pods that request nvidia.com/gpu tolerate the GPU taint, and they select an accelerator',
  check: ({ env, kubernetes }) =>
    kubernetes
      .filter(({ object }) => get(object, 'spec', 'template', 'spec') !== undefined)
      .flatMap(({ file, object }) => {
        const pod = get(object, 'spec', 'template', 'spec');
        const containers = (get(pod, 'containers') as unknown[] | undefined) ?? [];
        const requestsGpu = containers.some((c) => Number(get(c, 'resources', 'limits', GPU_TAINT_KEY) ?? 0) > 0);
        const tolerations = (get(pod, 'tolerations') as unknown[] | undefined) ?? [];
        const toleratesGpu = tolerations.some((t) => get(t, 'key') === GPU_TAINT_KEY || (get(t, 'operator') === 'Exists' && get(t, 'key') === undefined));
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

/** Every HPA scales a workload that exists in the same namespace, with min ≤ max. */
import { get, kubernetesAddress, type Rule } from '../engine.ts';

export const hpaTarget: Rule = {
  id: 'K8S003',
  severity: 'error',
  description: 'HorizontalPodAutoscalers target an existing workload in their namespace and have minReplicas ≤ maxReplicas',
  rationale: 'An HPA whose target does not exist scales nothing, silently: the workload stays at its initial size under any load.',
  remediation: 'point scaleTargetRef at a Deployment or StatefulSet of the same namespace; keep minReplicas ≤ maxReplicas',
  equivalents: { kubeScore: ['horizontalpodautoscaler-has-target'] },
  check: ({ env, kubernetes }) => {
    const objects = new Set(kubernetes.map(({ object }) => kubernetesAddress(object)));
    return kubernetes
      .filter(({ object }) => object.kind === 'HorizontalPodAutoscaler')
      .flatMap(({ file, object }) => {
        const ref = get(object, 'spec', 'scaleTargetRef');
        const wanted = `${String(get(ref, 'kind'))}/${object.metadata.namespace ?? '_cluster'}/${String(get(ref, 'name'))}`;
        const target = { env, file, address: kubernetesAddress(object) };
        const problems: { message: string; remediation: string }[] = [];
        if (!objects.has(wanted)) {
          problems.push({ message: `scales ${wanted}, which is not in the synthesized output`, remediation: 'point scaleTargetRef at a workload of the same namespace' });
        }
        const min = Number(get(object, 'spec', 'minReplicas') ?? 1);
        const max = Number(get(object, 'spec', 'maxReplicas'));
        if (!(min <= max)) problems.push({ message: `minReplicas ${min} > maxReplicas ${max}`, remediation: 'set minReplicas ≤ maxReplicas' });
        return problems.map((p) => ({ target, ...p }));
      });
  },
};

/** Workload containers: non-root, read-only root FS, no privilege escalation, bounded resources. */
import { get, kubernetesAddress, podSpecOf, type Rule } from '../engine.ts';

export const containerHardening: Rule = {
  id: 'K8S001',
  severity: 'error',
  description: 'Containers run as non-root with a read-only root filesystem, no privilege escalation, requests and a memory limit',
  check: ({ env, kubernetes }) =>
    kubernetes
      .flatMap(({ file, object }) => {
        const podSpec = podSpecOf(object);
        if (podSpec === undefined) return [];
        const podNonRoot = get(podSpec, 'securityContext', 'runAsNonRoot') === true;
        const containers = (get(podSpec, 'containers') as unknown[] | undefined) ?? [];
        return containers.flatMap((c) => {
          const name = String(get(c, 'name'));
          const target = { env, file, address: `${kubernetesAddress(object)}#${name}` };
          const sc = get(c, 'securityContext');
          const problems: { message: string; remediation: string }[] = [];
          if (!podNonRoot && get(sc, 'runAsNonRoot') !== true) {
            problems.push({ message: 'may run as root', remediation: 'set securityContext.runAsNonRoot: true and a non-zero runAsUser' });
          }
          if (get(sc, 'readOnlyRootFilesystem') !== true) {
            problems.push({ message: 'root filesystem is writable', remediation: 'set securityContext.readOnlyRootFilesystem: true; mount emptyDir for scratch' });
          }
          if (get(sc, 'allowPrivilegeEscalation') !== false || get(sc, 'privileged') === true) {
            problems.push({ message: 'privilege escalation is allowed', remediation: 'set allowPrivilegeEscalation: false and privileged: false' });
          }
          if (get(c, 'resources', 'requests', 'cpu') === undefined || get(c, 'resources', 'requests', 'memory') === undefined) {
            problems.push({ message: 'no CPU/memory requests: the scheduler and HPA cannot reason about it', remediation: 'set resources.requests.cpu and .memory' });
          }
          if (get(c, 'resources', 'limits', 'memory') === undefined) {
            problems.push({ message: 'no memory limit', remediation: 'set resources.limits.memory' });
          }
          return problems.map((p) => ({ target, ...p }));
        });
      }),
};

/** Pods stay out of their node: no host namespaces, no host paths, no host ports. */
import { get, type Rule } from '../engine.ts';
import { eachContainer, eachPod } from '../rule-scopes.ts';

const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

export const noHostNamespaces: Rule = {
  id: 'K8S011',
  severity: 'error',
  description: 'Pods share no host namespace (hostNetwork, hostPID, hostIPC)',
  rationale:
    'A pod in the node\'s network namespace bypasses NetworkPolicy and can bind node ports; in its PID or IPC namespace it can see, signal and read the memory of every process on the node.',
  remediation: 'remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false)',
  equivalents: {
    checkov: ['CKV_K8S_17', 'CKV_K8S_18', 'CKV_K8S_19'],
    trivy: ['KSV008', 'KSV009', 'KSV010'],
    polaris: ['hostIPCSet', 'hostPIDSet', 'hostNetworkSet'],
    kyverno: ['disallow-host-namespaces'],
  },
  check: eachPod(({ pod }) =>
    HOST_NAMESPACES.filter((ns) => get(pod, ns) === true).map((ns) => ({
      message: `shares the node's namespace (${ns}: true)`,
      remediation: `remove ${ns} from the pod spec`,
    })),
  ),
};

export const noHostPath: Rule = {
  id: 'K8S012',
  severity: 'error',
  description: 'Pods mount no hostPath volume',
  rationale:
    'A hostPath volume exposes the node\'s filesystem to the pod: the container runtime socket, kubelet credentials or other pods\' data are one mount away.',
  remediation: 'use emptyDir, a ConfigMap/Secret or a PersistentVolumeClaim instead of hostPath',
  equivalents: { trivy: ['KSV023'], polaris: ['hostPathSet'], kyverno: ['disallow-host-path'] },
  check: eachPod(({ pod }) => {
    const volumes = get(pod, 'volumes');
    return (Array.isArray(volumes) ? volumes : [])
      .filter((v) => get(v, 'hostPath') !== undefined)
      .map((v) => ({
        message: `volume "${String(get(v, 'name'))}" mounts ${String(get(v, 'hostPath', 'path'))} from the node`,
        remediation: 'replace the hostPath volume with emptyDir, a ConfigMap or a PersistentVolumeClaim',
      }));
  }),
};

export const noHostPorts: Rule = {
  id: 'K8S013',
  severity: 'error',
  description: 'Containers open no hostPort',
  rationale:
    'A hostPort binds the port on the node itself, outside the Service and NetworkPolicy model, and pins the pod to nodes where that port is free.',
  remediation: 'remove ports[].hostPort; expose the container through a Service',
  equivalents: { checkov: ['CKV_K8S_26'], trivy: ['KSV024'], polaris: ['hostPortSet'], kyverno: ['disallow-host-ports'] },
  check: eachContainer('containers-and-init', ({ container }) => {
    const ports = get(container, 'ports');
    return (Array.isArray(ports) ? ports : [])
      .filter((p) => Number(get(p, 'hostPort') ?? 0) > 0)
      .map((p) => ({
        message: `binds hostPort ${String(get(p, 'hostPort'))} on the node`,
        remediation: 'remove hostPort; expose the container through a Service',
      }));
  }),
};

export const HOST_ACCESS_RULES: readonly Rule[] = [noHostNamespaces, noHostPath, noHostPorts];

/**
 * The security contexts every platform-run Deployment built from plain manifests shares (the
 * Alertmanager, the OpenTelemetry Collector, the metrics adapter): non-root at a fixed uid, no
 * privilege escalation, no capabilities, a read-only root filesystem, the runtime's seccomp
 * profile. The cdk8s-plus Deployments (workloads, edge proxies) get the same from
 * `hardenedSecurityContext` in edge-proxy.ts.
 */
import type { PodSecurityContext, SecurityContext } from 'cdk8s-plus-28/lib/imports/k8s.js';

export function hardenedPodSecurity(uid: number, options: { readonly fsGroup?: boolean } = {}): PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, ...(options.fsGroup === false ? {} : { fsGroup: uid }), seccompProfile: { type: 'RuntimeDefault' } };
}

export function hardenedContainerSecurity(uid: number): SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

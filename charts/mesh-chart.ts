/**
 * The `mesh` chart: the Istio policy of one environment, from its MeshPlan — mTLS STRICT
 * mesh-wide (from Istio's root namespace, which the k8s stack's Helm release creates) with the
 * plaintext ports the GLB needs on nginx; an AuthorizationPolicy per service admitting exactly
 * its callers and its fronting edge proxy; JWT validation where Kong fronts a JWT route; a
 * Sidecar scope per namespace; DestinationRules where they add something, and canary splits.
 */
import { Chart, type App, type ChartProps } from 'cdk8s';
import type { PlatformPlan } from '../constructs/platform-plan.ts';
import { planMesh } from '../constructs/mesh/mesh-plan.ts';
import { MeshPeerAuthentication } from '../constructs/mesh/peer-authentication.ts';
import { ServiceAuthorization } from '../constructs/mesh/service-authorization.ts';
import { WorkloadJwt } from '../constructs/mesh/workload-jwt.ts';
import { SidecarScope } from '../constructs/mesh/sidecar-scope.ts';
import { ServiceTraffic } from '../constructs/mesh/service-traffic.ts';

export function buildMeshChart(app: App, plan: PlatformPlan, props: ChartProps): Chart {
  const chart = new Chart(app, 'mesh', { ...props, disableResourceNameHashes: true });
  const mesh = planMesh(plan);
  for (const p of mesh.peerAuthentications) new MeshPeerAuthentication(chart, `mtls-${p.namespace}-${p.name}`, p);
  for (const r of mesh.requestAuthentications) new WorkloadJwt(chart, `jwt-${r.namespace}-${r.name}`, r);
  for (const a of mesh.authorizationPolicies) new ServiceAuthorization(chart, `authz-${a.namespace}-${a.name}`, a);
  for (const s of mesh.sidecars) new SidecarScope(chart, `sidecar-${s.namespace}`, s);
  for (const d of mesh.destinationRules) {
    const split = mesh.virtualServices.find((v) => v.name === d.name && v.namespace === d.namespace);
    new ServiceTraffic(chart, `traffic-${d.namespace}-${d.name}`, { destination: d, ...(split ? { split } : {}) });
  }
  return chart;
}

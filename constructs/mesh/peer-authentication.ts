/**
 * mTLS for the mesh: the catalog's mode from the root namespace (every workload), or for one
 * workload the same mode with named ports that accept plaintext — for callers outside the mesh
 * (the GLB to nginx), the only exceptions there are.
 */
import { Construct } from 'constructs';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1';
import type { PeerAuthenticationPlan } from './mesh-plan.ts';
import { istioObject } from './istio-object.ts';

export class MeshPeerAuthentication extends Construct {
  constructor(scope: Construct, id: string, plan: PeerAuthenticationPlan) {
    super(scope, id);
    const portLevelMtls = Object.fromEntries(plan.permissivePorts.map((port) => [String(port), { mode: 'PERMISSIVE' as const }]));
    istioObject(
      this,
      'peer-authentication',
      new PeerAuthentication({
        metadata: { name: plan.name, namespace: plan.namespace },
        spec: {
          ...(plan.selector ? { selector: { matchLabels: { ...plan.selector } } } : {}),
          mtls: { mode: plan.mode },
          ...(plan.permissivePorts.length > 0 ? { portLevelMtls } : {}),
        },
      }),
    );
  }
}

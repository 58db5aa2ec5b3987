/**
 * How client sidecars send to one service: a DestinationRule (outlier detection; TCP keepalive
 * for long-lived streams; no HTTP/2 upgrade where a WebSocket or SSE stream must stay HTTP/1.1;
 * stable and canary subsets) and, for a canary, the VirtualService that splits requests by weight.
 */
import { Construct } from 'constructs';
import { DestinationRule, VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import { TRACKS } from '../k8s/workload-plan.ts';
import type { DestinationRulePlan, VirtualServicePlan } from './mesh-plan.ts';
import { istioObject } from './istio-object.ts';

export interface ServiceTrafficProps {
  readonly destination: DestinationRulePlan;
  readonly split?: VirtualServicePlan;
}

/** A host failing this often in a row leaves the pool for a while (at most half the pool at once). */
function outlierDetection(protocol: DestinationRulePlan['protocol']): Record<string, unknown> {
  // gRPC errors ride HTTP 200 with a status trailer: only gateway errors (reset, refused, 502–504) say the host is sick.
  const errors = protocol === 'http' ? { consecutive5xxErrors: 5 } : { consecutiveGatewayErrors: 5 };
  return { ...errors, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 };
}

function connectionPool(protocol: DestinationRulePlan['protocol']): Record<string, unknown> | undefined {
  if (protocol === 'http') return undefined;
  // Streams outlive any request timeout: keepalive finds a peer that vanished (node loss) mid-stream.
  const tcp = { tcpKeepalive: { time: '60s', interval: '20s', probes: 3 } };
  // An HTTP/1.1 Upgrade (WebSocket) or a chunked event stream cannot ride an upgraded HTTP/2 connection.
  return protocol === 'websocket' || protocol === 'sse' ? { tcp, http: { h2UpgradePolicy: 'DO_NOT_UPGRADE' } } : { tcp };
}

export class ServiceTraffic extends Construct {
  constructor(scope: Construct, id: string, props: ServiceTrafficProps) {
    super(scope, id);
    const { destination: d, split } = props;
    const pool = connectionPool(d.protocol);
    istioObject(
      this,
      'destination-rule',
      new DestinationRule({
        metadata: { name: d.name, namespace: d.namespace },
        spec: {
          host: d.host,
          trafficPolicy: { ...(pool ? { connectionPool: pool } : {}), outlierDetection: outlierDetection(d.protocol) },
          ...(d.subsets.length > 0 ? { subsets: d.subsets.map((s) => ({ name: s.name, labels: { ...s.labels } })) } : {}),
        },
      }),
    );
    if (!split) return;
    const to = (subset: string, weight: number) => ({ destination: { host: split.host, subset, port: { number: split.port } }, weight });
    istioObject(
      this,
      'virtual-service',
      new VirtualService({
        metadata: { name: split.name, namespace: split.namespace },
        spec: {
          hosts: [split.host],
          http: [{ name: 'canary-split', route: [to(TRACKS.stable, 100 - split.canaryWeight), to(TRACKS.canary, split.canaryWeight)] }],
        },
      }),
    );
  }
}

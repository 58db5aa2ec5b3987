/**
 * AlertmanagerPlan: the platform's own Alertmanager, in namespace `monitoring` (outside the mesh:
 * Google Managed Prometheus' rule-evaluator in gmp-system calls it in plaintext), fed by GMP's
 * rule-evaluator through the OperatorConfig. Self-run rather than GMP's managed Alertmanager
 * because the managed one reads only its config Secret: receiver credentials would have to sit
 * inside that config, and so in whatever writes it (Terraform state). This one mounts the
 * out-of-band Secret `alertmanager-receivers` and its config (a ConfigMap) names files only.
 * Pure: names, ports, image and replicas derived once for the chart, the network policies and
 * Binary Authorization.
 */
import type { Environment } from '../../environments/schema.ts';
import { RECEIVER_SECRET } from '../../environments/schema/slo.ts';
import { RECEIVER_SECRET_DIR } from './alertmanager-config.ts';

export const ALERTMANAGER_IMAGE = 'quay.io/prometheus/alertmanager:v0.28.1';

export interface AlertmanagerPlan {
  readonly namespace: string;
  readonly name: string;
  readonly image: string;
  /** Production runs two, gossiping (`--cluster.peer`) so a notification is sent once. */
  readonly replicas: number;
  readonly ports: { readonly web: number; readonly cluster: number };
  readonly uid: number;
  readonly configMap: string;
  /** Created outside this repo (from Secret Manager, or `kubectl create secret`), one key per channel credential. */
  readonly receiverSecret: string;
  readonly receiverSecretDir: string;
  /** The headless Service the replicas find each other by. */
  readonly peerService: string;
}

export function planAlertmanager(env: Environment): AlertmanagerPlan {
  return {
    namespace: 'monitoring',
    name: 'alertmanager',
    image: ALERTMANAGER_IMAGE,
    replicas: env.tier === 'production' ? 2 : 1,
    ports: { web: 9093, cluster: 9094 },
    uid: 65534,
    configMap: 'alertmanager-config',
    receiverSecret: RECEIVER_SECRET,
    receiverSecretDir: RECEIVER_SECRET_DIR,
    peerService: 'alertmanager-cluster',
  };
}

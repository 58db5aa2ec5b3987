/**
 * The Custom Metrics Stackdriver Adapter: serves Cloud Monitoring metrics to HPAs as External
 * metrics (Pub/Sub backlog, GPU duty cycle) and Google Managed Prometheus metrics as Pods metrics
 * (the gateway's open connections). Without it those HPAs never resolve their metrics.
 *
 * The objects follow Google's deployment (k8s-stackdriver, deploy/production/
 * adapter_new_resource_model.yaml), hardened: non-root on an unprivileged port (6443 behind the
 * Service's 443), read-only root FS with its serving certificate in an emptyDir, no capabilities.
 * Its identity reads Cloud Monitoring through Workload Identity Federation (the platform stack
 * grants the role to `principal://…/subject/ns/custom-metrics/sa/custom-metrics-stackdriver-adapter`).
 */
import { Construct } from 'constructs';
import {
  IntOrString,
  KubeApiService,
  KubeClusterRole,
  KubeClusterRoleBinding,
  KubeDeployment,
  KubeNamespace,
  KubePodDisruptionBudget,
  KubeRoleBinding,
  KubeService,
  KubeServiceAccount,
  Quantity,
} from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { MetricsAdapterPlan } from './cluster-addons-plan.ts';
import { hardenedContainerSecurity, hardenedPodSecurity } from './hardened-security.ts';

const UID = 65534;
const APP = { 'app.kubernetes.io/name': 'custom-metrics-stackdriver-adapter', 'app.kubernetes.io/part-of': 'api-platform' };

export class MetricsAdapter extends Construct {
  constructor(scope: Construct, id: string, plan: MetricsAdapterPlan) {
    super(scope, id);
    const ns = plan.namespace;
    const subject = { kind: 'ServiceAccount', name: plan.serviceAccount, namespace: ns };
    // Not in the mesh: the API server calls it directly (APIService), which sidecars would break.
    new KubeNamespace(this, 'namespace', { metadata: { name: ns, labels: { 'istio-injection': 'disabled' } } });
    new KubeServiceAccount(this, 'service-account', { metadata: { name: plan.serviceAccount, namespace: ns }, automountServiceAccountToken: true });
    new KubeClusterRoleBinding(this, 'auth-delegator', {
      metadata: { name: 'custom-metrics:system:auth-delegator' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [subject],
    });
    new KubeRoleBinding(this, 'auth-reader', {
      metadata: { name: 'custom-metrics-auth-reader', namespace: 'kube-system' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' },
      subjects: [subject],
    });
    new KubeClusterRole(this, 'resource-reader', {
      metadata: { name: 'custom-metrics-resource-reader' },
      rules: [{ apiGroups: [''], resources: ['pods', 'nodes', 'nodes/stats'], verbs: ['get', 'list', 'watch'] }],
    });
    new KubeClusterRoleBinding(this, 'resource-reader-binding', {
      metadata: { name: 'custom-metrics-resource-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'custom-metrics-resource-reader' },
      subjects: [subject],
    });
    const container = {
      name: 'adapter',
      image: plan.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['/adapter', '--use-new-resource-model=true', '--fallback-for-container-metrics=true', `--secure-port=${plan.port}`, '--cert-dir=/tmp/certs'],
      ports: [{ name: 'https', containerPort: plan.port }],
      resources: {
        requests: { cpu: Quantity.fromString('250m'), memory: Quantity.fromString('200Mi') },
        limits: { memory: Quantity.fromString('400Mi') },
      },
      readinessProbe: { httpGet: { path: '/healthz', port: IntOrString.fromNumber(plan.port), scheme: 'HTTPS' }, periodSeconds: 10 },
      livenessProbe: { httpGet: { path: '/healthz', port: IntOrString.fromNumber(plan.port), scheme: 'HTTPS' }, periodSeconds: 20, failureThreshold: 3 },
      securityContext: hardenedContainerSecurity(UID),
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    };
    new KubeDeployment(this, 'deployment', {
      metadata: { name: plan.serviceAccount, namespace: ns, labels: APP },
      spec: {
        replicas: plan.replicas,
        selector: { matchLabels: APP },
        template: {
          // It serves the custom and external metrics APIs: it must talk to the API server (K8S016).
          metadata: { labels: APP, annotations: { [plan.apiTokenAnnotation]: 'serves the custom and external metrics APIs to the API server' } },
          spec: {
            serviceAccountName: plan.serviceAccount,
            securityContext: hardenedPodSecurity(UID, { fsGroup: false }),
            containers: [container],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: Quantity.fromString('64Mi') } }],
          },
        },
      },
    });
    // maxUnavailable 1: a node drain can always evict one replica.
    new KubePodDisruptionBudget(this, 'disruption-budget', {
      metadata: { name: plan.serviceAccount, namespace: ns, labels: APP },
      spec: { maxUnavailable: IntOrString.fromNumber(1), selector: { matchLabels: APP } },
    });
    new KubeService(this, 'service', {
      metadata: { name: plan.serviceAccount, namespace: ns, labels: APP },
      spec: { type: 'ClusterIP', selector: APP, ports: [{ name: 'https', port: 443, targetPort: IntOrString.fromNumber(plan.port), protocol: 'TCP', appProtocol: 'https' }] },
    });
    const apiService = (group: string, version: string, versionPriority: number): void => {
      new KubeApiService(this, `api-${version}-${group.split('.')[0]}`, {
        metadata: { name: `${version}.${group}` },
        spec: {
          group,
          version,
          service: { name: plan.serviceAccount, namespace: ns },
          // As Google deploys it: the adapter serves a self-signed certificate.
          insecureSkipTlsVerify: true,
          groupPriorityMinimum: 100,
          versionPriority,
        },
      });
    };
    apiService('custom.metrics.k8s.io', 'v1beta1', 100);
    apiService('custom.metrics.k8s.io', 'v1beta2', 200);
    apiService('external.metrics.k8s.io', 'v1beta1', 100);
    new KubeClusterRole(this, 'external-metrics-reader', {
      metadata: { name: 'external-metrics-reader' },
      rules: [{ apiGroups: ['external.metrics.k8s.io'], resources: ['*'], verbs: ['list', 'get', 'watch'] }],
    });
    new KubeClusterRoleBinding(this, 'external-metrics-reader-binding', {
      metadata: { name: 'external-metrics-reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'external-metrics-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'horizontal-pod-autoscaler', namespace: 'kube-system' }],
    });
  }
}

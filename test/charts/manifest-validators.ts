// Third-party schemas for everything the charts emit, keyed by apiVersion and kind: the upstream
// OpenAPI schemas (kubernetes-models), Istio's and cert-manager's CRD schemas (@kubernetes-models/*).
// A kind with no validator here is a test failure, so a new kind cannot slip through unchecked.
import { z } from 'zod';
import { Deployment } from 'kubernetes-models/apps/v1';
import { ConfigMap, LimitRange, Namespace, ResourceQuota, Service, ServiceAccount } from 'kubernetes-models/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { APIService } from 'kubernetes-models/apiregistration.k8s.io/v1';
import { AuthorizationPolicy, RequestAuthentication } from '@kubernetes-models/istio/security.istio.io/v1';
import { Certificate, Issuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1';
import { DestinationRule, Sidecar, VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import { BackendConfig } from '@kubernetes-models/gke/cloud.google.com/v1';
import { FrontendConfig } from '@kubernetes-models/gke/networking.gke.io/v1beta1';
import { ManagedCertificate } from '@kubernetes-models/gke/networking.gke.io/v1';

type Validate = (o: unknown) => void;

const model =
  (Make: new (data: never) => { validate(): void }): Validate =>
  (o) =>
    new Make(o as never).validate();

/**
 * Google Managed Prometheus' PodMonitoring (monitoring.googleapis.com/v1): no published model
 * package, so the fields GMP requires (selector, endpoints with a port) are checked here.
 */
const PodMonitoringSchema = z.strictObject({
  apiVersion: z.literal('monitoring.googleapis.com/v1'),
  kind: z.literal('PodMonitoring'),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1) }),
  spec: z.strictObject({
    selector: z.strictObject({ matchLabels: z.record(z.string(), z.string()) }),
    endpoints: z.array(z.strictObject({ port: z.union([z.string().min(1), z.number().int()]), path: z.string().startsWith('/').optional(), interval: z.string().regex(/^\d+s$/).optional() })).min(1),
  }),
});

const VALIDATORS: Readonly<Record<string, Validate>> = {
  'v1/Namespace': model(Namespace),
  'v1/ServiceAccount': model(ServiceAccount),
  'v1/Service': model(Service),
  'v1/ConfigMap': model(ConfigMap),
  'v1/ResourceQuota': model(ResourceQuota),
  'v1/LimitRange': model(LimitRange),
  'networking.k8s.io/v1/NetworkPolicy': model(NetworkPolicy),
  'apps/v1/Deployment': model(Deployment),
  'autoscaling/v2/HorizontalPodAutoscaler': model(HorizontalPodAutoscaler),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
  'rbac.authorization.k8s.io/v1/ClusterRole': model(ClusterRole),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': model(ClusterRoleBinding),
  'rbac.authorization.k8s.io/v1/RoleBinding': model(RoleBinding),
  'apiregistration.k8s.io/v1/APIService': model(APIService),
  'security.istio.io/v1/RequestAuthentication': model(RequestAuthentication),
  'security.istio.io/v1/AuthorizationPolicy': model(AuthorizationPolicy),
  'security.istio.io/v1beta1/PeerAuthentication': model(PeerAuthentication),
  'networking.istio.io/v1beta1/Sidecar': model(Sidecar),
  'networking.istio.io/v1beta1/DestinationRule': model(DestinationRule),
  'networking.istio.io/v1beta1/VirtualService': model(VirtualService),
  'cert-manager.io/v1/Issuer': model(Issuer),
  'cert-manager.io/v1/Certificate': model(Certificate),
  'monitoring.googleapis.com/v1/PodMonitoring': (o) => void PodMonitoringSchema.parse(o),
  'networking.k8s.io/v1/Ingress': model(Ingress),
  'cloud.google.com/v1/BackendConfig': model(BackendConfig),
  'networking.gke.io/v1beta1/FrontendConfig': model(FrontendConfig),
  'networking.gke.io/v1/ManagedCertificate': model(ManagedCertificate),
};

export function validatorFor(o: { apiVersion: string; kind: string }): Validate | undefined {
  return VALIDATORS[`${o.apiVersion}/${o.kind}`];
}

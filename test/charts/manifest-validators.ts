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
import { loadGmpCrds } from './gmp-crds.ts';

type Validate = (o: unknown) => void;

const model =
  (Make: new (data: never) => { validate(): void }): Validate =>
  (o) =>
    new Make(o as never).validate();

/**
 * Google Managed Prometheus' kinds (monitoring.googleapis.com/v1): no published model package.
 * With GMP's CRDs at hand (../shared, DESIGN.md §6) each object is validated against its CRD's
 * own schema; without them, against the fields GMP requires (test/charts/observability-chart.test.ts
 * reports the CRD check as skipped then, and CI must have them).
 */
const gmp = loadGmpCrds().validators;
const GmpMetadata = z.looseObject({ name: z.string().min(1), namespace: z.string().min(1).optional() });
const RulesFallback = z.looseObject({ metadata: GmpMetadata, spec: z.looseObject({ groups: z.array(z.looseObject({ name: z.string(), rules: z.array(z.looseObject({})) })) }) });
const FALLBACK: Readonly<Record<string, z.ZodType>> = {
  PodMonitoring: z.looseObject({
    metadata: GmpMetadata,
    spec: z.looseObject({ selector: z.looseObject({}), endpoints: z.array(z.looseObject({ port: z.union([z.string().min(1), z.number().int()]) })).min(1) }),
  }),
  Rules: RulesFallback,
  ClusterRules: RulesFallback,
  GlobalRules: RulesFallback,
  OperatorConfig: z.looseObject({ metadata: GmpMetadata }),
};
const gmpKind =
  (kind: string): Validate =>
  (o) => {
    if (gmp) {
      const errors = gmp.errors(o as { kind: string });
      if (errors) throw new Error(`${kind} against GMP's CRD: ${errors}`);
    } else FALLBACK[kind]!.parse(o);
  };

/**
 * Istio's Telemetry (telemetry.istio.io/v1): @kubernetes-models/istio 2.3.0 has no model for it,
 * so its `tracing` is checked against the fields of Istio's Telemetry API reference
 * (istio.io/latest/docs/reference/config/telemetry: Tracing, ProviderRef) — strict, so an
 * unknown or misspelt field fails — and the rest of the spec must be fields the API has.
 */
const TelemetryTracing = z.strictObject({
  match: z.strictObject({ mode: z.enum(['CLIENT_AND_SERVER', 'CLIENT', 'SERVER']) }).optional(),
  providers: z.array(z.strictObject({ name: z.string().min(1) })).optional(),
  randomSamplingPercentage: z.number().min(0).max(100).optional(),
  disableSpanReporting: z.boolean().optional(),
  customTags: z.record(z.string(), z.looseObject({})).optional(),
  useRequestIdForTraceSampling: z.boolean().optional(),
  enableIstioTags: z.boolean().optional(),
});
const Telemetry = z.looseObject({
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().min(1) }),
  spec: z.strictObject({
    selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()) }).optional(),
    targetRefs: z.array(z.looseObject({})).optional(),
    tracing: z.array(TelemetryTracing).optional(),
    metrics: z.array(z.looseObject({})).optional(),
    accessLogging: z.array(z.looseObject({})).optional(),
  }),
});

const VALIDATORS: Readonly<Record<string, Validate>> = {
  'telemetry.istio.io/v1/Telemetry': (o) => {
    Telemetry.parse(o);
  },
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
  'monitoring.googleapis.com/v1/PodMonitoring': gmpKind('PodMonitoring'),
  'monitoring.googleapis.com/v1/Rules': gmpKind('Rules'),
  'monitoring.googleapis.com/v1/ClusterRules': gmpKind('ClusterRules'),
  'monitoring.googleapis.com/v1/GlobalRules': gmpKind('GlobalRules'),
  'monitoring.googleapis.com/v1/OperatorConfig': gmpKind('OperatorConfig'),
  'networking.k8s.io/v1/Ingress': model(Ingress),
  'cloud.google.com/v1/BackendConfig': model(BackendConfig),
  'networking.gke.io/v1beta1/FrontendConfig': model(FrontendConfig),
  'networking.gke.io/v1/ManagedCertificate': model(ManagedCertificate),
};

export function validatorFor(o: { apiVersion: string; kind: string }): Validate | undefined {
  return VALIDATORS[`${o.apiVersion}/${o.kind}`];
}

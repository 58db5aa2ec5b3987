/**
 * No pod gets a Kubernetes API token it does not use. A pod that calls the API (a controller,
 * the metrics adapter) says so on its pod template, with the reason:
 * `<label prefix>/needs-api-token: "<why>"` (the prefix is the catalog's `kubernetes.labelPrefix`,
 * e.g. `platform.acme.example`); a temporary exception is a waiver.
 */
import { get, kubernetesAddress, type Rule } from '../engine.ts';
import { eachPod } from '../rule-scopes.ts';

/** The pod-template annotation that declares, with a reason, that the pod calls the Kubernetes API. */
export const NEEDS_API_TOKEN = '<label prefix>/needs-api-token';
const NEEDS_API_TOKEN_KEY = /^[a-z0-9.-]+\/needs-api-token$/;

/** The `<prefix>/needs-api-token` annotation of a pod template, as [key, reason]. */
function tokenReason(annotations: unknown): [string, unknown] | undefined {
  if (annotations === null || typeof annotations !== 'object') return undefined;
  return Object.entries(annotations).find(([key]) => NEEDS_API_TOKEN_KEY.test(key));
}
const MIN_REASON = 20;

export const noAutomountedToken: Rule = {
  id: 'K8S016',
  severity: 'error',
  description: `Pods mount no service-account token unless they declare why (${NEEDS_API_TOKEN})`,
  rationale:
    'Kubernetes mounts an API token into every pod by default: whoever compromises the process can call the API server as its service account. Our services reach Google APIs through Workload Identity and never need one; a controller that does says so.',
  remediation: `set automountServiceAccountToken: false on the pod spec or its ServiceAccount; a pod that calls the Kubernetes API annotates its template with ${NEEDS_API_TOKEN}: "<why>"`,
  equivalents: {
    checkov: ['CKV_K8S_38'],
    trivy: ['KSV036'],
    polaris: ['automountServiceAccountToken'],
    kyverno: ['restrict-automount-sa-token'],
  },
  check: (artifacts) => {
    const serviceAccounts = new Map(
      artifacts.kubernetes.filter(({ object }) => object.kind === 'ServiceAccount').map(({ object }) => [kubernetesAddress(object), object]),
    );
    return eachPod(({ object, pod }) => {
      const onPod = get(pod, 'automountServiceAccountToken');
      const accountName = String(get(pod, 'serviceAccountName') ?? 'default');
      const account = serviceAccounts.get(`ServiceAccount/${object.metadata.namespace ?? '_cluster'}/${accountName}`);
      const mounted = onPod ?? get(account, 'automountServiceAccountToken') ?? true;
      if (mounted === false) return undefined;
      const [key, reason] = tokenReason(get(object.kind === 'Pod' ? object : get(object, 'spec', 'template'), 'metadata', 'annotations')) ?? [NEEDS_API_TOKEN];
      if (typeof reason === 'string' && reason.trim().length >= MIN_REASON) return undefined;
      return {
        message: `mounts a token for service account "${accountName}"${onPod === true ? ' (automountServiceAccountToken: true)' : ' (by default)'}${
          typeof reason === 'string' ? `; its ${key} reason is under ${MIN_REASON} characters` : ''
        }`,
        remediation: `set automountServiceAccountToken: false, or annotate the pod template with ${NEEDS_API_TOKEN}: "<why it calls the Kubernetes API>"`,
      };
    })(artifacts);
  },
};

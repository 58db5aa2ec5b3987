/**
 * Every rule against a passing fixture — the real synthesized prod output — and a failing one,
 * a minimal mutation of it that breaks that rule and no other (as Checkov and kube-score test
 * their checks). Prod is synthesized once for the file, by the CLI, into a temporary directory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, type EnvironmentArtifacts } from '../../policies/engine.ts';
import { RULES } from '../../policies/index.ts';
import { parseImage } from '../../policies/image-sources.ts';
import { applyWaivers } from '../../policies/waivers.ts';
import { policyDate } from '../../policies/waiver-clock.ts';
import catalog from '../../environments/index.ts';
import { parseEnvironment } from '../../environments/load.ts';
import { mutateObject, mutateResource, mutateTerraform, readSynthesized, removeOutput, synthesize, type Json } from './synthesized.ts';

const CLUSTER = 'platform-prod';
const explain = (a: EnvironmentArtifacts, ids?: readonly string[]): string[] =>
  evaluate(ids ? RULES.filter((r) => ids.includes(r.id)) : RULES, [a]).map((f) => `${f.ruleId} ${f.target.address}: ${f.message}`);

const container = (o: Json, i = 0): Json => o.spec.template.spec.containers[i];

interface Case {
  /** The passing fixture when the synthesized output does not pass yet (a waived rule); else prod as synthesized. */
  readonly pass?: (good: EnvironmentArtifacts) => EnvironmentArtifacts;
  /** The failing fixture: a minimal mutation of the passing one. */
  readonly fail: (pass: EnvironmentArtifacts) => EnvironmentArtifacts;
  /** A finding the failing fixture must produce: `<id> <address>: <message>`. */
  readonly finding: RegExp;
}

const cluster = (change: (v: Json) => void) => (a: EnvironmentArtifacts) => mutateResource(a, 'google_container_cluster', CLUSTER, change);
const pool = (name: string, change: (v: Json) => void) => (a: EnvironmentArtifacts) => mutateResource(a, 'google_container_node_pool', name, change);
const deployment = (name: string, change: (o: Json) => void) => (a: EnvironmentArtifacts) => mutateObject(a, 'Deployment', name, change);

const CASES: Readonly<Record<string, Case>> = {
  GKE001: { fail: cluster((v) => (v.private_cluster_config.enable_private_nodes = false)), finding: /^GKE001 google_container_cluster\.gke_cluster_\w+: nodes have public IP/ },
  GKE002: {
    fail: cluster((v) => {
      v.private_cluster_config.enable_private_endpoint = false;
      delete v.master_authorized_networks_config;
    }),
    finding: /^GKE002 google_container_cluster\.\w+: the control plane endpoint is public/,
  },
  GKE003: {
    fail: cluster((v) => v.master_authorized_networks_config.cidr_blocks.push({ cidr_block: '0.0.0.0/0', display_name: 'anywhere' })),
    finding: /^GKE003 google_container_cluster\.\w+: authorized network "anywhere" is 0\.0\.0\.0\/0/,
  },
  GKE004: { fail: cluster((v) => delete v.workload_identity_config), finding: /^GKE004 .*: Workload Identity is off/ },
  GKE005: { fail: cluster((v) => (v.enable_shielded_nodes = false)), finding: /^GKE005 .*: shielded nodes are off/ },
  GKE006: { fail: cluster((v) => (v.datapath_provider = 'LEGACY_DATAPATH')), finding: /^GKE006 .*: datapath_provider is "LEGACY_DATAPATH"/ },
  GKE007: { fail: cluster((v) => (v.release_channel = { channel: 'UNSPECIFIED' })), finding: /^GKE007 .*: release channel is "UNSPECIFIED"/ },
  GKE008: {
    fail: cluster((v) => (v.logging_config = { enable_components: ['SYSTEM_COMPONENTS'] })),
    finding: /^GKE008 .*: logging_config\.enable_components is \[SYSTEM_COMPONENTS\]/,
  },
  GKE009: {
    fail: cluster((v) => (v.monitoring_config.enable_components = ['APISERVER', 'DCGM'])),
    finding: /^GKE009 .*: monitoring_config\.enable_components is \[APISERVER, DCGM\]: system metrics are not collected/,
  },
  GKE010: { fail: cluster((v) => (v.enable_legacy_abac = true)), finding: /^GKE010 .*: legacy ABAC/ },
  GKE011: {
    fail: cluster((v) => (v.master_auth = { client_certificate_config: { issue_client_certificate: true } })),
    finding: /^GKE011 .*: the cluster issues a client certificate/,
  },
  GKE012: { fail: cluster((v) => (v.remove_default_node_pool = false)), finding: /^GKE012 .*: the default node pool is kept/ },
  GKE013: { fail: cluster((v) => (v.monitoring_config.managed_prometheus.enabled = false)), finding: /^GKE013 .*: Managed Prometheus is off/ },
  GKE016: {
    fail: cluster((v) => (v.monitoring_config.enable_components = v.monitoring_config.enable_components.filter((c: string) => c !== 'DCGM'))),
    finding: /^GKE016 google_container_cluster\.\w+: the cluster has GPU pools but does not collect DCGM metrics/,
  },
  GKE014: { fail: cluster((v) => (v.security_posture_config.vulnerability_mode = 'VULNERABILITY_DISABLED')), finding: /^GKE014 .*: security posture is "BASIC" with vulnerability scanning "VULNERABILITY_DISABLED"/ },
  GKE015: {
    fail: (a) =>
      mutateTerraform(a, (t) => {
        const policy = t.resources.find((r: Json) => r.type === 'google_binary_authorization_policy');
        policy.values.default_admission_rule.enforcement_mode = 'DRYRUN_AUDIT_LOG_ONLY';
      }),
    finding: /^GKE015 google_container_cluster\.\S+: production runs the admission policy as "DRYRUN_AUDIT_LOG_ONLY": nothing is blocked/,
  },
  REG001: {
    fail: (a) => mutateTerraform(a, (t) => (t.resources.find((r: Json) => r.type === 'google_artifact_registry_repository').values.docker_config.immutable_tags = false)),
    finding: /^REG001 google_artifact_registry_repository\.registry: repository "platform" lets tags move/,
  },
  GKE020: {
    fail: pool('general', (v) => (v.node_config.workload_metadata_config.mode = 'GCE_METADATA')),
    finding: /^GKE020 google_container_node_pool\.gke_pool-general_pool_\w+: pods can reach the node metadata server/,
  },
  GKE021: { fail: pool('general', (v) => (v.node_config.shielded_instance_config.enable_secure_boot = false)), finding: /^GKE021 .*: secure boot is off/ },
  GKE022: {
    fail: pool('general', (v) => (v.node_config.shielded_instance_config.enable_integrity_monitoring = false)),
    finding: /^GKE022 .*: integrity monitoring is off/,
  },
  GKE023: { fail: pool('general', (v) => (v.management.auto_repair = false)), finding: /^GKE023 .*: auto-repair is off/ },
  GKE024: { fail: pool('general', (v) => (v.management.auto_upgrade = false)), finding: /^GKE024 .*: auto-upgrade is off/ },
  GKE025: { fail: pool('general', (v) => (v.node_config.image_type = 'UBUNTU_CONTAINERD')), finding: /^GKE025 .*: node image is "UBUNTU_CONTAINERD"/ },
  GKE026: {
    fail: pool('general', (v) => (v.node_config.service_account = '123456789012-compute@developer.gserviceaccount.com')),
    finding: /^GKE026 .*: nodes run as 123456789012-compute@developer/,
  },
  GKE040: { fail: pool('l4', (v) => (v.node_config.taint = [])), finding: /^GKE040 google_container_node_pool\.gke_pool-l4_pool_\w+: GPU pool without/ },
  GKE041: {
    fail: pool('l4', (v) => (v.node_config.guest_accelerator[0].gpu_driver_installation_config = { gpu_driver_version: 'INSTALLATION_DISABLED' })),
    finding: /^GKE041 .*: nvidia-l4: no driver installation \(gpu_driver_version is "INSTALLATION_DISABLED"\)/,
  },
  GKE042: { fail: pool('l4', (v) => delete v.autoscaling), finding: /^GKE042 .*: GPU pool has a fixed size/ },
  IAM001: {
    fail: (a) =>
      mutateTerraform(a, (t) => {
        t.resources.find((r: Json) => r.type === 'google_project_iam_member').values.role = 'roles/editor';
      }),
    finding: /^IAM001 google_project_iam_member\.\S+: grants the basic role roles\/editor to \$\{google_service_account/,
  },
  IAM002: {
    fail: (a) =>
      mutateTerraform(a, (t) => {
        t.resources.find((r: Json) => r.type === 'google_pubsub_topic_iam_member').values.member = 'allUsers';
      }),
    finding: /^IAM002 google_pubsub_topic_iam_member\.\S+: grants roles\/pubsub\.publisher to allUsers/,
  },
  IAM003: {
    fail: (a) =>
      mutateTerraform(a, (t) => {
        t.resources.find((r: Json) => r.type === 'google_compute_firewall').values.source_ranges = ['0.0.0.0/0'];
      }),
    finding: /^IAM003 google_compute_firewall\.\S+: allows SSH \(port 22\) from 0\.0\.0\.0\/0/,
  },
  IAM004: { fail: (a) => mutateTerraform(a, (t) => delete t.backend), finding: /^IAM004 terraform\.backend: Terraform state uses the local backend/ },
  PUBSUB001: {
    fail: (a) =>
      mutateTerraform(a, (t) => {
        t.resources = t.resources.filter((r: Json) => !(r.type === 'google_pubsub_subscription' && r.values.name === 'ingest-dead-letter-inspect'));
      }),
    finding: /^PUBSUB001 google_pubsub_topic\.\S+: dead-letter topic "ingest-dead-letter" has no subscription/,
  },
  K8S001: { fail: deployment('orders-api', (o) => delete container(o).resources.requests.cpu), finding: /^K8S001 Deployment\/commerce\/orders-api#orders-api: no cpu request/ },
  K8S002: {
    fail: deployment('orders-api', (o) => (o.spec.template.spec.tolerations = [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }])),
    finding: /^K8S002 Deployment\/commerce\/orders-api: tolerates the GPU taint without requesting a GPU/,
  },
  K8S003: {
    fail: (a) => mutateObject(a, 'HorizontalPodAutoscaler', 'inventory', (o) => (o.spec.scaleTargetRef.name = 'inventroy')),
    finding: /^K8S003 HorizontalPodAutoscaler\/commerce\/inventory: scales Deployment\/commerce\/inventroy, which is not in the synthesized output/,
  },
  K8S004: { fail: deployment('chat', (o) => delete container(o).livenessProbe), finding: /^K8S004 Deployment\/realtime\/chat#chat: no livenessProbe$/ },
  K8S005: { fail: deployment('orders-api', (o) => (container(o).securityContext.runAsUser = 0)), finding: /^K8S005 .*#orders-api: runs as uid 0/ },
  K8S006: { fail: deployment('chat', (o) => (container(o).securityContext.readOnlyRootFilesystem = false)), finding: /^K8S006 Deployment\/realtime\/chat#chat: root filesystem is writable/ },
  K8S007: { fail: deployment('chat', (o) => (container(o).securityContext.allowPrivilegeEscalation = true)), finding: /^K8S007 .*#chat: privilege escalation is allowed/ },
  K8S008: { fail: deployment('chat', (o) => (container(o).securityContext.privileged = true)), finding: /^K8S008 .*#chat: runs privileged/ },
  K8S009: { fail: deployment('chat', (o) => (container(o).securityContext.capabilities = { drop: ['NET_RAW'] })), finding: /^K8S009 .*#chat: does not drop ALL capabilities/ },
  K8S010: { fail: deployment('chat', (o) => (container(o).securityContext.seccompProfile = { type: 'Unconfined' })), finding: /^K8S010 .*#chat: seccomp profile is Unconfined/ },
  K8S011: { fail: deployment('inventory', (o) => (o.spec.template.spec.hostNetwork = true)), finding: /^K8S011 Deployment\/commerce\/inventory: shares the node's namespace \(hostNetwork: true\)/ },
  K8S012: {
    fail: deployment('inventory', (o) => (o.spec.template.spec.volumes = [{ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }])),
    finding: /^K8S012 Deployment\/commerce\/inventory: volume "docker" mounts \/var\/run\/docker\.sock from the node/,
  },
  K8S013: { fail: deployment('inventory', (o) => (container(o).ports[0].hostPort = 9090)), finding: /^K8S013 .*#inventory: binds hostPort 9090/ },
  K8S014: {
    fail: deployment('orders-api', (o) => (container(o).image = 'europe-west4-docker.pkg.dev/acme-platform-prod/platform/orders-api:latest')),
    finding: /^K8S014 .*#orders-api: image ".*orders-api:latest" is not pinned \(tag latest\)/,
  },
  K8S015: {
    fail: deployment('orders-api', (o) => (container(o).image = 'ghcr.io/acme/orders-api:1.8.2')),
    finding: /^K8S015 .*#orders-api: image "ghcr\.io\/acme\/orders-api:1\.8\.2" is from ghcr\.io, not europe-west4-docker\.pkg\.dev\/acme-platform-prod\/platform/,
  },
  K8S016: {
    fail: (a) =>
      mutateObject(
        mutateObject(a, 'ServiceAccount', 'orders-api', (o) => delete o.automountServiceAccountToken),
        'Deployment',
        'orders-api',
        (o) => delete o.spec.template.spec.automountServiceAccountToken,
      ),
    finding: /^K8S016 Deployment\/commerce\/orders-api: mounts a token for service account "orders-api" \(by default\)/,
  },
  K8S017: {
    fail: (a) => mutateObject(a, 'PodDisruptionBudget', 'orders-api', (o) => (o.spec.maxUnavailable = 0)),
    finding: /^K8S017 Deployment\/commerce\/orders-api: PodDisruptionBudget orders-api allows no eviction at 3 replica\(s\) \(HPA orders-api minReplicas\)/,
  },
  K8S018: {
    fail: (a) => mutateObject(a, 'HorizontalPodAutoscaler', 'inventory', (o) => (o.spec.minReplicas = 1)),
    finding: /^K8S018 HorizontalPodAutoscaler\/commerce\/inventory: minReplicas is 1 in a production environment/,
  },
  K8S019: {
    fail: deployment('chat', (o) => delete o.spec.template.spec.topologySpreadConstraints),
    finding: /^K8S019 Deployment\/realtime\/chat: no topology spread constraint on topology\.kubernetes\.io\/zone selects its pods/,
  },
  K8S020: {
    fail: (a) => {
      const copy = structuredClone(a);
      const objects = copy.kubernetes as unknown as Json[];
      objects.splice(objects.findIndex((k) => k.object.kind === 'NetworkPolicy' && k.object.metadata.namespace === 'events'), 1);
      return copy;
    },
    finding: /^K8S020 Deployment\/events\/event-enricher: no NetworkPolicy in namespace events selects its pods/,
  },
};

describe('policy rules over synthesized prod', () => {
  let out: string | undefined;
  let good: EnvironmentArtifacts;

  beforeAll(async () => {
    out = await synthesize(['prod']);
    good = await readSynthesized(out, 'prod');
  }, 180_000);
  afterAll(() => removeOutput(out));

  it('has a passing and a failing fixture for every GKE, IAM, PUBSUB, REG and K8S rule (the other areas test theirs with their layers)', () => {
    const ids = RULES.map((r) => r.id).filter((id) => /^(GKE|IAM|PUBSUB|REG|K8S)\d{3}$/.test(id));
    expect(Object.keys(CASES).sort()).toEqual([...ids].sort());
  });

  it('finds nothing in prod as synthesized that prod does not waive (in the catalog, dated and reasoned)', () => {
    const prod = parseEnvironment('prod', catalog.prod);
    if (!prod.ok) throw new Error(prod.problems.join('\n'));
    const results = applyWaivers(evaluate(RULES, [good]), [{ env: 'prod', file: 'environments/prod.ts', waivers: prod.env.waivers }], policyDate());
    expect(results.filter((r) => r.status === 'open' && r.severity === 'error').map((r) => `${r.ruleId} ${r.target.address}: ${r.message}`)).toEqual([]);
    // Nothing is waived any more: the synthesized output itself passes every rule.
    expect(explain(good)).toEqual([]);
  });

  for (const [id, c] of Object.entries(CASES)) {
    it(`${id} passes its passing fixture and fails its failing one, alone`, () => {
      const pass = c.pass ? c.pass(good) : good;
      expect(explain(pass, [id])).toEqual([]);
      const before = new Set(explain(pass));
      const added = explain(c.fail(pass)).filter((f) => !before.has(f));
      expect(added.length).toBeGreaterThan(0);
      expect(added.filter((f) => !f.startsWith(`${id} `)), 'the mutation breaks only this rule').toEqual([]);
      expect(added).toContainEqual(expect.stringMatching(c.finding));
    });
  }

  it('GKE003 also catches an IPv6 world range; GKE002 accepts authorized networks without a private endpoint', () => {
    const v6 = cluster((v) => v.master_authorized_networks_config.cidr_blocks.push({ cidr_block: '::/0', display_name: 'v6' }))(good);
    expect(explain(v6, ['GKE003'])).toEqual([expect.stringMatching(/"v6" is ::\/0/)]);
    expect(explain(cluster((v) => (v.private_cluster_config.enable_private_endpoint = false))(good), ['GKE002'])).toEqual([]);
  });

  it('IAM004 judges only production (the tier comes from the catalog), and an environment missing from it as production', () => {
    const local = mutateTerraform(good, (t) => delete t.backend);
    expect(evaluate(RULES, [{ ...local, tier: 'development' }]).filter((f) => f.ruleId === 'IAM004')).toEqual([]);
    const { tier: _tier, ...unknown } = local;
    expect(explain(unknown, ['IAM004'])).toEqual(['IAM004 terraform.backend: environment not in the catalog, judged as production: Terraform state uses the local backend']);
  });

  it('IAM001 and IAM002 read bindings, literal policies and google_iam_policy documents', () => {
    const grants = mutateTerraform(good, (t) => {
      t.resources.push(
        { type: 'google_pubsub_topic_iam_binding', name: 'b', address: 'google_pubsub_topic_iam_binding.b', values: { role: 'roles/viewer', members: ['group:x@acme.example'] } },
        {
          type: 'google_storage_bucket_iam_policy',
          name: 'p',
          address: 'google_storage_bucket_iam_policy.p',
          values: { policy_data: JSON.stringify({ bindings: [{ role: 'roles/storage.objectViewer', members: ['allAuthenticatedUsers'] }] }) },
        },
      );
      t.dataSources.push({ type: 'google_iam_policy', name: 'd', address: 'data.google_iam_policy.d', values: { binding: [{ role: 'roles/owner', members: ['user:a@acme.example'] }] } });
    });
    expect(explain(grants, ['IAM001', 'IAM002'])).toEqual([
      'IAM001 google_pubsub_topic_iam_binding.b: grants the basic role roles/viewer to group:x@acme.example',
      'IAM001 data.google_iam_policy.d: grants the basic role roles/owner to user:a@acme.example',
      'IAM002 google_storage_bucket_iam_policy.p: grants roles/storage.objectViewer to allAuthenticatedUsers: the resource is public',
    ]);
  });

  it('IAM003 reads port ranges and protocol "all", and ignores egress and disabled rules', () => {
    const firewall = (values: Json) =>
      mutateTerraform(good, (t) => t.resources.push({ type: 'google_compute_firewall', name: 'f', address: 'google_compute_firewall.f', values }));
    expect(explain(firewall({ source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'tcp', ports: ['3000-3400'] }] }), ['IAM003'])).toEqual([
      'IAM003 google_compute_firewall.f: allows RDP (port 3389) from 0.0.0.0/0',
    ]);
    expect(explain(firewall({ source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'all' }] }), ['IAM003'])).toHaveLength(2);
    expect(explain(firewall({ direction: 'EGRESS', source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'all' }] }), ['IAM003'])).toEqual([]);
    expect(explain(firewall({ disabled: true, source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'all' }] }), ['IAM003'])).toEqual([]);
    expect(explain(firewall({ source_ranges: ['10.0.0.0/8'], allow: [{ protocol: 'tcp', ports: ['22'] }] }), ['IAM003'])).toEqual([]);
  });

  it('K8S016 lets the pod spec override its ServiceAccount either way', () => {
    const podTrue = deployment('orders-api', (o) => (o.spec.template.spec.automountServiceAccountToken = true))(good);
    expect(explain(podTrue, ['K8S016'])).toEqual([expect.stringMatching(/\(automountServiceAccountToken: true\)$/)]);
    const saTrue = mutateObject(good, 'ServiceAccount', 'orders-api', (o) => (o.automountServiceAccountToken = true));
    expect(explain(saTrue, ['K8S016'])).toEqual([]);
  });

  it('K8S016 accepts a pod that declares, with a reason, that it calls the Kubernetes API', () => {
    const declared = (reason: string) =>
      deployment('orders-api', (o) => {
        o.spec.template.spec.automountServiceAccountToken = true;
        o.spec.template.metadata.annotations = { 'platform.acme.example/needs-api-token': reason };
      })(good);
    expect(explain(declared('reads External metrics from the API server'), ['K8S016'])).toEqual([]);
    expect(explain(declared('needed'), ['K8S016'])).toEqual([
      expect.stringMatching(/; its platform\.acme\.example\/needs-api-token reason is under 20 characters$/),
    ]);
  });

  it('K8S010 accepts a pod-level profile; K8S004 leaves run-to-completion Jobs alone; init containers are judged too', () => {
    const podLevel = deployment('chat', (o) => {
      delete container(o).securityContext.seccompProfile;
      o.spec.template.spec.securityContext.seccompProfile = { type: 'RuntimeDefault' };
    })(good);
    expect(explain(podLevel, ['K8S010'])).toEqual([]);
    const job = structuredClone(good);
    const template = structuredClone((good.kubernetes.find((k) => k.object.metadata.name === 'orders-api' && k.object.kind === 'Deployment')?.object as Json).spec.template);
    delete template.spec.containers[0].livenessProbe;
    template.spec.initContainers = [{ ...template.spec.containers[0], name: 'migrate', securityContext: {} }];
    (job.kubernetes as unknown as Json[]).push({ file: 'dist/prod/x.yaml', object: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate', namespace: 'commerce' }, spec: { template } } });
    const found = explain(job).filter((f) => f.includes('Job/'));
    expect(found.some((f) => f.startsWith('K8S004'))).toBe(false);
    expect(found).toContainEqual('K8S006 Job/commerce/migrate#migrate: root filesystem is writable');
  });

  it('K8S015 allows the listed vendor images and reads references as the runtime does', () => {
    expect(parseImage('kong:3.9.3')).toEqual({ repository: 'docker.io/library/kong', tag: '3.9.3' });
    expect(parseImage('nginxinc/nginx-unprivileged:1.28.3-alpine')).toEqual({ repository: 'docker.io/nginxinc/nginx-unprivileged', tag: '1.28.3-alpine' });
    expect(parseImage('localhost:5000/x@sha256:abc')).toEqual({ repository: 'localhost:5000/x', digest: 'sha256:abc' });
    const vendor = (image: string) => explain(deployment('orders-api', (o) => (container(o).image = image))(good), ['K8S014', 'K8S015']);
    expect(vendor('docker.io/library/kong:3.9.3')).toEqual([]);
    expect(vendor('nginxinc/nginx-unprivileged@sha256:0123')).toEqual([]);
    expect(vendor('nginx:1.27')).toEqual([expect.stringMatching(/^K8S015 .*"nginx:1\.27" is from docker\.io/)]);
    expect(vendor('kong')).toEqual([expect.stringMatching(/^K8S014 .*"kong" is not pinned \(no tag\)/)]);
  });

  it('documents every rule: rationale, remediation, equivalents in the scanners\' own id formats', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^[A-Z][A-Z0-9]*?\d{3}$/);
      for (const text of [r.description, r.rationale, r.remediation]) expect(text.length, r.id).toBeGreaterThan(20);
      for (const id of r.equivalents.checkov ?? []) expect(id).toMatch(/^CKV2?_(GCP|K8S)_\d+$/);
      for (const id of r.equivalents.trivy ?? []) expect(id).toMatch(/^(AVD-GCP-\d{4}|KSV\d{3,4})$/);
      for (const id of [...(r.equivalents.kubeScore ?? []), ...(r.equivalents.kyverno ?? [])]) expect(id).toMatch(/^[a-z][-a-z]+$/);
      for (const id of r.equivalents.polaris ?? []) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
    }
  });
});

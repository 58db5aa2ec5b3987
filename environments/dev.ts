/** dev: one zone, small spot nodes, GPUs from zero, WAF in preview, local Terraform state. */
import type { EnvironmentInput } from './schema.ts';
import { namespaces, services, topics } from './services.ts';

const dev: EnvironmentInput = {
  name: 'dev',
  tier: 'development',
  gcp: {
    projectId: 'acme-platform-dev',
    region: 'europe-west4',
    zones: ['europe-west4-a'],
    labels: { env: 'dev', team: 'platform' },
  },
  network: {
    vpcName: 'platform-dev',
    nodeCidr: '10.10.0.0/20',
    podCidr: '10.12.0.0/16',
    serviceCidr: '10.13.0.0/20',
    controlPlaneCidr: '172.16.10.0/28',
    // Public endpoint (dev is reached from laptops): only the office/VPN egress range and CI's.
    authorizedNetworks: [
      { name: 'corp-egress', cidr: '203.0.113.0/24' },
      { name: 'ci-egress', cidr: '198.51.100.0/26' },
    ],
    proxyOnlyCidr: '10.14.0.0/23',
  },
  gke: {
    clusterName: 'platform-dev',
    locationType: 'zonal',
    releaseChannel: 'RAPID',
    maintenanceWindow: { start: '2026-01-03T02:00:00Z', end: '2026-01-03T06:00:00Z', recurrence: 'FREQ=DAILY' },
    deletionProtection: false,
    cpuPools: [{ name: 'general', machineType: 'e2-standard-4', minNodes: 1, maxNodes: 3, spot: true }],
    gpuPools: [
      {
        name: 'l4',
        accelerator: 'nvidia-l4',
        machineType: 'g2-standard-8',
        sharing: { strategy: 'time-sharing', maxSharedClientsPerGpu: 4 },
        spot: true,
        minNodes: 0,
        maxNodes: 1,
      },
    ],
  },
  edge: {
    domains: ['api.dev.acme.example'],
    armor: {
      // Every set prod enforces, at prod's sensitivity, in preview: what prod would block shows up in dev's logs first.
      owasp: [
        { ruleSet: 'sqli-v33-stable', sensitivity: 2 },
        { ruleSet: 'xss-v33-stable', sensitivity: 2 },
        { ruleSet: 'lfi-v33-stable', sensitivity: 1 },
        { ruleSet: 'rfi-v33-stable', sensitivity: 2 },
        { ruleSet: 'rce-v33-stable', sensitivity: 2 },
        { ruleSet: 'protocolattack-v33-stable', sensitivity: 2 },
        { ruleSet: 'scannerdetection-v33-stable', sensitivity: 2 },
      ],
      rateBan: { thresholdCount: 3000, intervalSec: 60, banDurationSec: 300 },
      preview: true,
    },
  },
  mesh: { mtls: 'STRICT' },
  observability: {
    // Development pages nobody (the objectives' default): slow burns open tickets only.
    alerting: { ticket: { type: 'slack', channel: '#platform-dev', webhookSecretKey: 'slack-platform-dev' } },
  },
  kubernetes: { namespaces },
  topics,
  services,
  overrides: {
    'orders-api': { autoscaling: { minReplicas: 1, maxReplicas: 2 } },
    inventory: { autoscaling: { minReplicas: 1, maxReplicas: 2 } },
    chat: { autoscaling: { minReplicas: 1, maxReplicas: 2 } },
    'market-feed': { autoscaling: { minReplicas: 1, maxReplicas: 2 } },
    'llm-inference': { autoscaling: { minReplicas: 1, maxReplicas: 1 }, resources: { cpu: '2', memory: '8Gi' } },
    'event-enricher': { autoscaling: { minReplicas: 1, maxReplicas: 3 } },
  },
};

export default dev;

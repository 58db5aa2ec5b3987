/** prod: regional across three zones, larger on-demand pools, strict WAF, GCS state, DLQs everywhere. */
import type { EnvironmentInput } from './schema.ts';
import { namespaces, services, topics } from './services.ts';

const prod: EnvironmentInput = {
  name: 'prod',
  tier: 'production',
  gcp: {
    projectId: 'acme-platform-prod',
    region: 'europe-west4',
    zones: ['europe-west4-a', 'europe-west4-b', 'europe-west4-c'],
    stateBucket: 'acme-platform-tfstate-prod',
    labels: { env: 'prod', team: 'platform', 'cost-center': 'api-platform' },
  },
  network: {
    vpcName: 'platform-prod',
    nodeCidr: '10.30.0.0/20',
    podCidr: '10.32.0.0/14',
    serviceCidr: '10.36.0.0/20',
    controlPlaneCidr: '172.16.30.0/28',
    // Private endpoint: only internal ranges reach the control plane (corp VPN over Interconnect).
    authorizedNetworks: [{ name: 'corp-vpn', cidr: '10.200.0.0/16' }],
    proxyOnlyCidr: '10.37.0.0/23',
  },
  gke: {
    clusterName: 'platform-prod',
    locationType: 'regional',
    releaseChannel: 'STABLE',
    maintenanceWindow: { start: '2026-01-03T00:00:00Z', end: '2026-01-03T08:00:00Z', recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU' },
    privateEndpoint: true,
    cpuPools: [
      { name: 'general', machineType: 'n2-standard-8', minNodes: 2, maxNodes: 20, diskType: 'pd-ssd' },
      { name: 'spot-batch', machineType: 'n2-standard-4', minNodes: 0, maxNodes: 10, spot: true },
    ],
    gpuPools: [
      { name: 'l4', accelerator: 'nvidia-l4', machineType: 'g2-standard-24', count: 2, minNodes: 1, maxNodes: 6 },
      {
        name: 'h100-mig',
        accelerator: 'nvidia-h100-80gb',
        machineType: 'a3-highgpu-1g',
        sharing: { strategy: 'mig', partitionSize: '1g.10gb' },
        minNodes: 0,
        maxNodes: 2,
        zones: ['europe-west4-b', 'europe-west4-c'],
      },
    ],
  },
  edge: {
    domains: ['api.acme.example'],
    armor: {
      owasp: [
        { ruleSet: 'sqli-v33-stable', sensitivity: 2 },
        { ruleSet: 'xss-v33-stable', sensitivity: 2 },
        { ruleSet: 'lfi-v33-stable', sensitivity: 1 },
        { ruleSet: 'rfi-v33-stable', sensitivity: 2 },
        { ruleSet: 'rce-v33-stable', sensitivity: 2 },
        { ruleSet: 'protocolattack-v33-stable', sensitivity: 2 },
        { ruleSet: 'scannerdetection-v33-stable', sensitivity: 2 },
      ],
      rateBan: { thresholdCount: 1000, intervalSec: 60, banDurationSec: 900 },
      denyCountries: ['KP'],
      adaptiveProtection: true,
    },
    logSampleRate: 0.5,
    sslPolicy: { minTlsVersion: 'TLS_1_2', profile: 'RESTRICTED' },
  },
  mesh: { mtls: 'STRICT' },
  observability: {
    // Channels exist outside this repo; their credentials are keys of the Secret alertmanager-receivers.
    alerting: {
      page: { type: 'pagerduty', routingKeySecretKey: 'pagerduty-platform-prod' },
      ticket: { type: 'slack', channel: '#platform-tickets', webhookSecretKey: 'slack-platform-tickets' },
    },
  },
  kubernetes: { namespaces },
  topics,
  services,
  overrides: {
    'orders-api': { autoscaling: { minReplicas: 3, maxReplicas: 30 } },
    chat: { autoscaling: { minReplicas: 3, maxReplicas: 20 } },
    'llm-inference': { autoscaling: { minReplicas: 2, maxReplicas: 8 } },
    'event-enricher': { autoscaling: { minReplicas: 2 } },
  },
};

export default prod;

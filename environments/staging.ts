/** staging: prod's shape at a smaller size — regional, GCS state, WAF enforcing. */
import type { EnvironmentInput } from './schema.ts';
import { namespaces, services, topics } from './services.ts';

const staging: EnvironmentInput = {
  name: 'staging',
  tier: 'staging',
  gcp: {
    projectId: 'acme-platform-staging',
    region: 'europe-west4',
    zones: ['europe-west4-a', 'europe-west4-b'],
    stateBucket: 'acme-platform-tfstate-staging',
    labels: { env: 'staging', team: 'platform' },
  },
  network: {
    vpcName: 'platform-staging',
    nodeCidr: '10.20.0.0/20',
    podCidr: '10.22.0.0/16',
    serviceCidr: '10.23.0.0/20',
    controlPlaneCidr: '172.16.20.0/28',
    authorizedNetworks: [{ name: 'corp-vpn', cidr: '203.0.113.0/24' }],
    proxyOnlyCidr: '10.24.0.0/23',
  },
  gke: {
    clusterName: 'platform-staging',
    locationType: 'regional',
    releaseChannel: 'REGULAR',
    maintenanceWindow: { start: '2026-01-03T00:00:00Z', end: '2026-01-03T12:00:00Z', recurrence: 'FREQ=WEEKLY;BYDAY=SA,SU' },
    cpuPools: [{ name: 'general', machineType: 'n2-standard-4', minNodes: 1, maxNodes: 4 }],
    gpuPools: [
      {
        name: 'l4',
        accelerator: 'nvidia-l4',
        machineType: 'g2-standard-8',
        sharing: { strategy: 'time-sharing', maxSharedClientsPerGpu: 2 },
        spot: true,
        minNodes: 0,
        maxNodes: 2,
      },
    ],
  },
  edge: {
    domains: ['api.staging.acme.example'],
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
      rateBan: { thresholdCount: 2000, intervalSec: 60, banDurationSec: 600 },
      adaptiveProtection: true,
    },
    sslPolicy: { minTlsVersion: 'TLS_1_2', profile: 'MODERN' },
  },
  mesh: { mtls: 'STRICT' },
  observability: {
    alerting: {
      page: { type: 'slack', channel: '#platform-staging-pages', webhookSecretKey: 'slack-platform-staging-pages' },
      ticket: { type: 'slack', channel: '#platform-tickets', webhookSecretKey: 'slack-platform-tickets' },
    },
  },
  kubernetes: { namespaces },
  topics,
  services,
  overrides: {
    'orders-api': { image: { tag: '1.9.0-rc.1' }, autoscaling: { minReplicas: 2, maxReplicas: 4 } },
    'llm-inference': { autoscaling: { minReplicas: 1, maxReplicas: 2 } },
    // The next chat release takes a fifth of the WebSocket sessions before it replaces 0.9.4.
    chat: { canary: { image: { tag: '0.10.0' }, weight: 20 } },
  },
};

export default staging;

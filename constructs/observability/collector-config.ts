/**
 * The OpenTelemetry Collector's config.yaml, rendered from the CollectorPlan (pure). One traces
 * pipeline: the OTLP receiver on gRPC (Istio's sidecars) and HTTP (the gateway, Kong), then
 * `memory_limiter` (first: it refuses data before the collector runs out of memory) and `batch`,
 * then the contrib `googlecloud` exporter writing to the environment's project with the pod's
 * Workload Identity (no credentials in the config). The `health_check` extension serves the probes.
 * Keys as the components document them (opentelemetry-collector-contrib: exporter/googlecloudexporter,
 * extension/healthcheckextension; opentelemetry-collector: receiver/otlpreceiver,
 * processor/memorylimiterprocessor, processor/batchprocessor).
 */
import { stringify } from 'yaml';
import type { CollectorPlan } from './collector-plan.ts';

export interface CollectorConfig {
  readonly receivers: { readonly otlp: { readonly protocols: { readonly grpc: { readonly endpoint: string }; readonly http: { readonly endpoint: string } } } };
  readonly processors: {
    readonly memory_limiter: { readonly check_interval: string; readonly limit_mib: number; readonly spike_limit_mib: number };
    readonly batch: { readonly send_batch_size: number; readonly send_batch_max_size: number; readonly timeout: string };
  };
  readonly exporters: { readonly googlecloud: { readonly project: string; readonly trace: { readonly endpoint: string } } };
  readonly extensions: { readonly health_check: { readonly endpoint: string } };
  readonly service: {
    readonly extensions: readonly string[];
    readonly pipelines: { readonly traces: { readonly receivers: readonly string[]; readonly processors: readonly string[]; readonly exporters: readonly string[] } };
    readonly telemetry: { readonly logs: { readonly level: string; readonly encoding: string } };
  };
}

export function collectorConfig(plan: CollectorPlan): CollectorConfig {
  // Pods are reached on their pod IP: listen on every interface (the collector's default is localhost).
  const listen = (port: number): string => `0.0.0.0:${port}`;
  return {
    receivers: { otlp: { protocols: { grpc: { endpoint: listen(plan.ports.otlpGrpc) }, http: { endpoint: listen(plan.ports.otlpHttp) } } } },
    processors: {
      memory_limiter: { check_interval: '1s', limit_mib: plan.memoryLimitMib, spike_limit_mib: Math.round(plan.memoryLimitMib / 5) },
      batch: { send_batch_size: 512, send_batch_max_size: 1024, timeout: '5s' },
    },
    exporters: { googlecloud: { project: plan.project, trace: { endpoint: 'cloudtrace.googleapis.com:443' } } },
    extensions: { health_check: { endpoint: listen(plan.ports.health) } },
    service: {
      extensions: ['health_check'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['googlecloud'] } },
      // JSON lines on stderr: Cloud Logging parses them like every other container's.
      telemetry: { logs: { level: 'info', encoding: 'json' } },
    },
  };
}

export function renderCollectorConfig(plan: CollectorPlan): string {
  const header = '# OpenTelemetry Collector config — generated from the platform catalog by constructs/observability/collector-config.ts. Do not edit.';
  return `${header}\n${stringify(collectorConfig(plan), { lineWidth: 0 })}`;
}

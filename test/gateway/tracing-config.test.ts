// OTEL_* parsing: off without an endpoint, the spec's URL rules, errors that name the variable.
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../gateway/src/gateway-config.ts';
import { parseTracingConfig } from '../../gateway/src/tracing-config.ts';

describe('tracing configuration from OTEL_* variables', () => {
  it('is off without an endpoint, with OTEL_SDK_DISABLED=true and with OTEL_TRACES_EXPORTER=none', () => {
    expect(parseTracingConfig({})).toBeUndefined();
    expect(parseTracingConfig({ OTEL_TRACES_SAMPLER: 'always_on' })).toBeUndefined();
    expect(parseTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(parseTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('appends /v1/traces to the base endpoint and takes the traces endpoint as it is', () => {
    expect(parseTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.tracing:4318/' })?.tracesUrl).toBe('http://collector.tracing:4318/v1/traces');
    expect(
      parseTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' })?.tracesUrl,
    ).toBe('http://b:4318/custom');
  });

  it('reads sampler, ratio, service name, resource attributes and batch settings', () => {
    const config = parseTracingConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.05',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=prod,k8s.namespace.name=edge,team=a%2Cb',
      OTEL_BSP_SCHEDULE_DELAY: '1000',
    });
    expect(config).toMatchObject({
      sampler: 'parentbased_traceidratio',
      ratio: 0.05,
      serviceName: 'edge-gateway',
      resourceAttributes: { 'deployment.environment.name': 'prod', 'k8s.namespace.name': 'edge', team: 'a,b' },
      scheduleDelayMs: 1000,
      exportTimeoutMs: 10_000,
    });
    expect(parseTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_RESOURCE_ATTRIBUTES: 'service.name=gw' })?.serviceName).toBe('gw');
    expect(parseTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SERVICE_NAME: 'edge', OTEL_RESOURCE_ATTRIBUTES: 'service.name=gw' })?.serviceName).toBe('edge');
  });

  it('names the variable in errors', () => {
    const base = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' };
    expect(() => parseTracingConfig({ ...base, OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/^OTEL_TRACES_SAMPLER_ARG: /);
    expect(() => parseTracingConfig({ ...base, OTEL_TRACES_SAMPLER: 'sometimes' })).toThrow(/^OTEL_TRACES_SAMPLER: /);
    expect(() => parseTracingConfig({ ...base, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc' })).toThrow(/^OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: only "http\/json"/);
    expect(() => parseTracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/^OTEL_EXPORTER_OTLP_ENDPOINT: /);
    expect(() => parseTracingConfig({ ...base, OTEL_RESOURCE_ATTRIBUTES: 'novalue' })).toThrow(/^OTEL_RESOURCE_ATTRIBUTES: "novalue" is not key=value/);
    expect(() => parseTracingConfig({ ...base, OTEL_BSP_MAX_QUEUE_SIZE: '10', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '20' })).toThrow(/^OTEL_BSP_MAX_EXPORT_BATCH_SIZE: /);
  });

  it('is part of the gateway configuration; the log project falls back to the Pub/Sub project, then GOOGLE_CLOUD_PROJECT', () => {
    const config = parseGatewayConfig(['--routes', 'r.json', '--pubsub-project', 'acme-prod'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' });
    expect(config.tracing?.tracesUrl).toBe('http://c:4318/v1/traces');
    expect(config.logProject).toBe('acme-prod');
    expect(parseGatewayConfig(['--routes', 'r.json'], { GOOGLE_CLOUD_PROJECT: 'acme-dev' }).logProject).toBe('acme-dev');
    expect(parseGatewayConfig(['--routes', 'r.json', '--log-project', 'acme-stg'], { GOOGLE_CLOUD_PROJECT: 'acme-dev' }).logProject).toBe('acme-stg');
    expect(parseGatewayConfig(['--routes', 'r.json'], {}).tracing).toBeUndefined();
    expect(() => parseGatewayConfig(['--routes', 'r.json', '--log-project', 'Not_A_Project'], {})).toThrow(/--log-project \/ GATEWAY_LOG_PROJECT: /);
  });
});

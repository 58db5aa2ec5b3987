// Spans for the gateway's own request path, made by hand where the gateway knows what happens
// (no auto-instrumentation patching `http`): a server span per request or stream, a client span
// per upstream call or Pub/Sub publish. This file holds the interfaces only; the OpenTelemetry
// SDK lives in tracing-sdk.ts and is loaded only when an OTLP endpoint is configured, so with
// tracing off a request pays one `undefined` check.

export type SpanAttributes = Record<string, string | number | boolean>;

export type SamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';

/** Tracing as the OTEL_* environment variables configure it (gateway-config.ts parses them). */
export interface TracingConfig {
  /** The OTLP/HTTP traces URL (`…/v1/traces`). */
  readonly tracesUrl: string;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: SamplerName;
  /** The ratio for the `traceidratio` samplers (OTEL_TRACES_SAMPLER_ARG), 0..1. */
  readonly ratio: number;
  /** One export request's timeout (OTEL_EXPORTER_OTLP_TRACES_TIMEOUT / OTEL_EXPORTER_OTLP_TIMEOUT). */
  readonly exportTimeoutMs: number;
  /** Batch span processor (OTEL_BSP_*): delay between exports, queue bound, batch size. */
  readonly scheduleDelayMs: number;
  readonly maxQueueSize: number;
  readonly maxExportBatchSize: number;
}

/** A span under a server span: an upstream call (`client`) or a Pub/Sub publish (`producer`). */
export type OutgoingKind = 'client' | 'producer';

/** A span under a server span: what goes upstream carries its traceparent. */
export interface ClientSpan {
  /** `00-<trace id>-<this span's id>-<flags>`: the traceparent to send upstream. */
  readonly traceparent: string;
  readonly recording: boolean;
  setAttributes(attributes: SpanAttributes): void;
  /** Ends the span; an error message marks it failed (status ERROR, `error.type`). */
  end(error?: string): void;
}

export interface ServerSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  /** False for spans the sampler dropped: attributes are then not worth computing. */
  readonly recording: boolean;
  setAttributes(attributes: SpanAttributes): void;
  /** A client (or producer) span under this one; `attributes` is only called when it records. */
  startClient(name: string, kind: OutgoingKind, attributes: () => SpanAttributes): ClientSpan;
  end(error?: string): void;
}

export interface Tracing {
  /**
   * A server span for one request or stream. `incoming` is the caller's valid traceparent (the
   * span becomes its child) or undefined (a new trace, sampled by ratio); `attributes` is only
   * called when the span records.
   */
  startServer(name: string, incoming: string | undefined, attributes: () => SpanAttributes): ServerSpan;
  /** Exports what is queued, bounded by `timeoutMs`; resolves false when it ran out of time. */
  shutdown(timeoutMs: number): Promise<boolean>;
}

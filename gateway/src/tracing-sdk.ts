// The OpenTelemetry SDK behind tracing.ts: a tracer provider of our own (never registered as the
// global one: the Pub/Sub client library would then start tracing too), parent-based sampling,
// a batch span processor and the OTLP/HTTP JSON exporter. Export runs on a timer, off the
// request path; a full queue drops spans; an unreachable collector costs a failed POST per batch
// (logged at most once a minute), never a request.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import type { Logger } from './logger.ts';
import { formatTraceparent, isSampled, parentIdOf, traceIdOf } from './trace-context.ts';
import type { ClientSpan, OutgoingKind, ServerSpan, SpanAttributes, Tracing, TracingConfig } from './tracing.ts';

const EXPORT_FAILURE_LOG_INTERVAL_MS = 60_000;

function samplerFor(config: TracingConfig): Sampler {
  switch (config.sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(config.ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.ratio) });
  }
}

/** The exporter, with failed exports logged (rate-limited) instead of swallowed by `diag`. */
function loggingExporter(inner: SpanExporter, logger: Logger, url: string): SpanExporter {
  let lastLogged = -Infinity;
  let failed = 0;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
      inner.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          failed += spans.length;
          const now = Date.now();
          if (now - lastLogged >= EXPORT_FAILURE_LOG_INTERVAL_MS) {
            lastLogged = now;
            logger.warn('trace export failed; spans dropped', { url, droppedSpans: failed, error: result.error?.message ?? 'unknown' });
            failed = 0;
          }
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}

const KIND = { client: SpanKind.CLIENT, producer: SpanKind.PRODUCER } as const;

function outgoing(span: Span): ClientSpan {
  const ctx = span.spanContext();
  const recording = span.isRecording();
  return {
    traceparent: formatTraceparent(ctx.traceId, ctx.spanId, (ctx.traceFlags & TraceFlags.SAMPLED) !== 0),
    recording,
    setAttributes(attributes: SpanAttributes) {
      if (recording) span.setAttributes(attributes);
    },
    end(error?: string) {
      if (error !== undefined && recording) {
        span.setAttribute('error.type', error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error });
      }
      span.end();
    },
  };
}

export function createSdkTracing(config: TracingConfig, logger: Logger, version: string): Tracing {
  const exporter = loggingExporter(new OTLPTraceExporter({ url: config.tracesUrl, timeoutMillis: config.exportTimeoutMs }), logger, config.tracesUrl);
  const processor = new BatchSpanProcessor({
    exporter,
    scheduledDelayMillis: config.scheduleDelayMs,
    maxQueueSize: config.maxQueueSize,
    maxExportBatchSize: config.maxExportBatchSize,
    exportTimeoutMillis: config.exportTimeoutMs,
  });
  const provider = new TracerProvider({
    sampler: samplerFor(config),
    resource: resourceFromAttributes({ ...config.resourceAttributes, 'service.name': config.serviceName, 'service.version': version }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('edge-gateway', version);

  const startServer = (name: string, incoming: string | undefined, attributes: () => SpanAttributes): ServerSpan => {
    const parent =
      incoming === undefined
        ? ROOT_CONTEXT
        : trace.setSpanContext(ROOT_CONTEXT, {
            traceId: traceIdOf(incoming),
            spanId: parentIdOf(incoming),
            traceFlags: isSampled(incoming) ? TraceFlags.SAMPLED : TraceFlags.NONE,
            isRemote: true,
          });
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
    const recording = span.isRecording();
    if (recording) span.setAttributes(attributes() as Attributes);
    const ctx = span.spanContext();
    return {
      traceId: ctx.traceId,
      spanId: ctx.spanId,
      sampled: (ctx.traceFlags & TraceFlags.SAMPLED) !== 0,
      recording,
      setAttributes(more: SpanAttributes) {
        if (recording) span.setAttributes(more);
      },
      startClient(clientName: string, kind: OutgoingKind, clientAttributes: () => SpanAttributes): ClientSpan {
        const child = tracer.startSpan(clientName, { kind: KIND[kind] }, trace.setSpan(ROOT_CONTEXT, span));
        if (child.isRecording()) child.setAttributes(clientAttributes() as Attributes);
        return outgoing(child);
      },
      end(error?: string) {
        if (error !== undefined && recording) {
          span.setAttribute('error.type', error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: error });
        }
        span.end();
      },
    };
  };

  return {
    startServer,
    async shutdown(timeoutMs: number): Promise<boolean> {
      let timer: NodeJS.Timeout | undefined;
      const outOfTime = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const done = provider.shutdown().then(
        () => true,
        (err: unknown) => {
          logger.warn('trace flush failed', { error: err instanceof Error ? err.message : String(err) });
          return true;
        },
      );
      const inTime = await Promise.race([done, outOfTime]);
      clearTimeout(timer);
      return inTime;
    },
  };
}

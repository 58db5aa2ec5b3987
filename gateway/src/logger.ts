// JSON lines on stdout in Cloud Logging's structured form: `severity`, `time`, `message`, then
// fields (an access line adds `httpRequest` and the `logging.googleapis.com/trace` fields, see
// accessLogFields). The GKE logging agent turns each line into a LogEntry: severity and message
// are parsed, `httpRequest` becomes the entry's HttpRequest, the trace fields link it to Cloud Trace.
// Lines are written once per event-loop turn (one write for a burst of access lines), and
// synchronously when the process exits.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Whether `level` lines are written (callers skip building fields otherwise). */
  enabled(level: LogLevel): boolean;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
/** Cloud Logging's LogSeverity names. */
const SEVERITY: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR' };

/** Standard output, written at most once per event-loop turn; flushed on exit. */
export function batchedStdout(): (line: string) => void {
  let pending = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending === '') return;
    const out = pending;
    pending = '';
    process.stdout.write(out);
  };
  process.once('exit', flush);
  return (line) => {
    pending += line;
    if (pending.length >= 65_536) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

export function createJsonLogger(level: LogLevel, write: (line: string) => void = batchedStdout()): Logger {
  const min = ORDER[level];
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields): void => {
    if (ORDER[lvl] < min) return;
    write(`${JSON.stringify({ severity: SEVERITY[lvl], time: new Date().toISOString(), message: msg, ...fields })}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    enabled: (lvl) => ORDER[lvl] >= min,
  };
}

/** Error → loggable fields, without a stack unless asked (stacks never reach clients). */
export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { error: err.message, errorName: err.name, ...(code !== undefined ? { errorCode: code } : {}) };
  }
  return { error: String(err) };
}

export interface AccessEntry {
  readonly method: string;
  /** scheme://host/path — without the query string, which may carry credentials (WebSocket tokens). */
  readonly url: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly remoteIp: string;
  readonly userAgent: string | undefined;
  readonly protocol: string;
  readonly route: string;
  readonly requestId: string;
  readonly traceId: string;
  /** The gateway's server span, when tracing is on. */
  readonly spanId: string | undefined;
  readonly sampled: boolean;
}

/** Cloud Logging's `httpRequest` and trace fields for one request; `project` undefined leaves the trace field out. */
export function accessLogFields(entry: AccessEntry, project: string | undefined): LogFields {
  const fields: LogFields = {
    httpRequest: {
      requestMethod: entry.method,
      requestUrl: entry.url,
      status: entry.status,
      latency: `${(entry.latencyMs / 1000).toFixed(6)}s`,
      remoteIp: entry.remoteIp,
      ...(entry.userAgent !== undefined ? { userAgent: entry.userAgent } : {}),
      protocol: entry.protocol,
    },
    route: entry.route,
    requestId: entry.requestId,
  };
  if (project !== undefined) fields['logging.googleapis.com/trace'] = `projects/${project}/traces/${entry.traceId}`;
  if (entry.spanId !== undefined) fields['logging.googleapis.com/spanId'] = entry.spanId;
  fields['logging.googleapis.com/trace_sampled'] = entry.sampled;
  return fields;
}

/** Access lines: 5xx are ERROR, 4xx WARNING, the rest INFO (Cloud Logging's severity filter then finds failures). */
export function accessLevel(status: number): LogLevel {
  return status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
}

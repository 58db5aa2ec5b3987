// Parses `wrk --latency` output.
export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  socketErrors: number;
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (m === null) return Number.NaN;
  const n = Number(m[1]);
  switch (m[2]) {
    case 'us':
      return n / 1000;
    case 'ms':
      return n;
    case 's':
      return n * 1000;
    default:
      return n * 60_000;
  }
}

export function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output);
  const p99 = /^\s+99%\s+(\S+)/m.exec(output);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  if (rps === null || p50 === null || p99 === null) throw new Error(`unparseable wrk output:\n${output}`);
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: toMs(p50[1] as string),
    p99Ms: toMs(p99[1] as string),
    non2xx: non2xx === null ? 0 : Number(non2xx[1]),
    socketErrors: errors === null ? 0 : errors.slice(1).reduce((a, b) => a + Number(b), 0),
  };
}

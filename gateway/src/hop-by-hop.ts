// Hop-by-hop fields (RFC 9110 §7.6.1): Connection, Proxy-Connection, Keep-Alive, TE,
// Transfer-Encoding, Upgrade, plus every field named in Connection. `Trailer` is dropped
// too because the HTTP/1.1 path does not forward trailers; `host` is handled by the caller.
const ALWAYS = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'transfer-encoding', 'upgrade', 'trailer']);

export function isAlwaysHopByHop(lowerName: string): boolean {
  return ALWAYS.has(lowerName);
}

/** Field names listed in a Connection header value (lower-cased), or undefined when none. */
export function connectionTokens(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(',') : value;
  let out: Set<string> | undefined;
  for (const raw of joined.split(',')) {
    const token = raw.trim().toLowerCase();
    if (token === '' || token === 'close' || token === 'keep-alive' || token === 'upgrade') continue;
    (out ??= new Set()).add(token);
  }
  return out;
}

/** Copies a response header object minus hop-by-hop fields, for writeHead/respond. */
export function endToEndResponseHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const named = connectionTokens(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || ALWAYS.has(name) || (named !== undefined && named.has(name))) continue;
    out[name] = value;
  }
  return out;
}

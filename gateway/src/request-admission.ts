// The checks every proxied request passes before it reaches an upstream: authentication,
// then the per-route, per-client token bucket (keyed by principal when there is one).
import type { AuthResult } from './route-authenticator.ts';
import type { CompiledRoute } from './compiled-routes.ts';

export type Admission =
  | { ok: true; principal: string | undefined }
  | { ok: false; status: 401 | 429 | 503; error: string; headers: Record<string, string> };

function limit(route: CompiledRoute, principal: string | undefined, clientIp: string): Admission {
  if (route.limiter !== undefined) {
    const decision = route.limiter.take(principal ?? clientIp);
    if (!decision.allowed) {
      return { ok: false, status: 429, error: 'rate limit exceeded', headers: { 'retry-after': String(decision.retryAfterSeconds) } };
    }
  }
  return { ok: true, principal };
}

function afterAuth(route: CompiledRoute, result: AuthResult, clientIp: string): Admission {
  if (!result.ok) {
    const headers: Record<string, string> = {};
    if (result.wwwAuthenticate !== undefined) headers['www-authenticate'] = result.wwwAuthenticate;
    if (result.status === 503) headers['retry-after'] = '5';
    return { ok: false, status: result.status, error: result.error, headers };
  }
  return limit(route, result.principal, clientIp);
}

export function admit(
  route: CompiledRoute,
  header: (name: string) => string | string[] | undefined,
  clientIp: string,
): Admission | Promise<Admission> {
  const result = route.authenticator.authenticate(header);
  if (result instanceof Promise) return result.then((r) => afterAuth(route, r, clientIp));
  return afterAuth(route, result, clientIp);
}

// Per-route authentication: JWT against a JWKS URL (issuer + audience checked), API keys
// stored as SHA-256 digests in a mounted file, or none. Failures become 401 with
// WWW-Authenticate (or 503 when the JWKS itself cannot be fetched); never a stack trace.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import type { RouteAuth } from './route-table.ts';

export type AuthResult =
  | { ok: true; principal: string | undefined }
  | { ok: false; status: 401 | 503; error: string; wwwAuthenticate: string | undefined };

type HeaderValue = string | string[] | undefined;

export interface Authenticator {
  /** Synchronous when the answer is cached or trivial, so the hot path skips a promise. */
  authenticate(header: (name: string) => HeaderValue): AuthResult | Promise<AuthResult>;
}

const ANONYMOUS: AuthResult = Object.freeze({ ok: true, principal: undefined });

export const noAuth: Authenticator = { authenticate: () => ANONYMOUS };

type RemoteJwks = ReturnType<typeof createRemoteJWKSet>;

/** One remote JWKS per URL, shared by every route that names it (jose caches keys, with cooldown). */
export class JwksCache {
  private readonly sets = new Map<string, RemoteJwks>();
  constructor(private readonly options: { cooldownMs: number; cacheMaxAgeMs: number; timeoutMs: number }) {}

  get(uri: string): RemoteJwks {
    let jwks = this.sets.get(uri);
    if (jwks === undefined) {
      jwks = createRemoteJWKSet(new URL(uri), {
        cooldownDuration: this.options.cooldownMs,
        cacheMaxAge: this.options.cacheMaxAgeMs,
        timeoutDuration: this.options.timeoutMs,
      });
      this.sets.set(uri, jwks);
    }
    return jwks;
  }
}

function bearerChallenge(error: string | undefined, description: string | undefined): string {
  let value = 'Bearer realm="gateway"';
  if (error !== undefined) value += `, error="${error}"`;
  if (description !== undefined) value += `, error_description="${description.replace(/["\\]/g, '')}"`;
  return value;
}

const MISSING_BEARER: AuthResult = Object.freeze({ ok: false, status: 401, error: 'missing bearer token', wwwAuthenticate: bearerChallenge(undefined, undefined) });

interface CachedToken {
  expiresAtMs: number;
  principal: string | undefined;
}

const VERIFIED_CACHE_MS = 30_000;
const VERIFIED_CACHE_MAX = 10_000;

export class JwtAuthenticator implements Authenticator {
  private readonly verified = new Map<string, CachedToken>();
  private readonly jwks: RemoteJwks;

  constructor(
    private readonly config: Extract<RouteAuth, { type: 'jwt' }>,
    jwksCache: JwksCache,
  ) {
    this.jwks = jwksCache.get(config.jwksUri);
  }

  authenticate(header: (name: string) => HeaderValue): AuthResult | Promise<AuthResult> {
    const authorization = header('authorization');
    if (typeof authorization !== 'string' || authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== 'bearer ') {
      return MISSING_BEARER;
    }
    const token = authorization.slice(7).trim();
    const cached = this.verified.get(token);
    if (cached !== undefined) {
      if (cached.expiresAtMs > Date.now()) return { ok: true, principal: cached.principal };
      this.verified.delete(token);
    }
    return this.verify(token);
  }

  private async verify(token: string): Promise<AuthResult> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.issuer,
        audience: this.config.audiences,
        algorithms: this.config.algorithms,
        // jose checks exp only when present; a token without one would never expire.
        requiredClaims: ['exp'],
      });
      const now = Date.now();
      const expMs = typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY;
      if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.clear();
      const principal = typeof payload.sub === 'string' ? payload.sub : undefined;
      this.verified.set(token, { expiresAtMs: Math.min(expMs, now + VERIFIED_CACHE_MS), principal });
      return { ok: true, principal };
    } catch (err) {
      return jwtFailure(err);
    }
  }
}

function jwtFailure(err: unknown): AuthResult {
  if (err instanceof joseErrors.JWTExpired) {
    return { ok: false, status: 401, error: 'token expired', wwwAuthenticate: bearerChallenge('invalid_token', 'token expired') };
  }
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    const description = `${err.claim} claim check failed`;
    return { ok: false, status: 401, error: description, wwwAuthenticate: bearerChallenge('invalid_token', description) };
  }
  // The key set could not be fetched (timeout, network, non-200 answer — jose reports the last
  // as a bare JOSEError): the token may well be fine, so this is not a 401.
  if (err instanceof joseErrors.JWKSTimeout || !(err instanceof joseErrors.JOSEError) || err.code === 'ERR_JOSE_GENERIC') {
    return { ok: false, status: 503, error: 'key set unavailable', wwwAuthenticate: undefined };
  }
  return { ok: false, status: 401, error: 'invalid token', wwwAuthenticate: bearerChallenge('invalid_token', 'invalid token') };
}

const KEYS_RECHECK_MS = 5_000;
const DIGEST = /^[0-9a-f]{64}$/;

/**
 * API keys: the route names a header and a mounted Secret file holding one lower-case hex
 * SHA-256 digest of a key per line (`#` comments allowed) — plaintext keys never sit in the
 * route table (a ConfigMap) nor in that file. The file is re-read when its mtime changes
 * (checked at most every 5 s), so a rotated Secret takes effect without a restart.
 */
export class ApiKeyAuthenticator implements Authenticator {
  private digests = new Set<string>();
  private mtimeMs = -1;
  private checkedAtMs = 0;
  private readonly challenge: string;
  private readonly missing: AuthResult;
  private readonly invalid: AuthResult;

  constructor(private readonly config: Extract<RouteAuth, { type: 'api-key' }>) {
    this.challenge = `ApiKey realm="gateway", header="${config.header}"`;
    this.missing = Object.freeze({ ok: false, status: 401, error: 'missing api key', wwwAuthenticate: this.challenge });
    this.invalid = Object.freeze({ ok: false, status: 401, error: 'invalid api key', wwwAuthenticate: this.challenge });
  }

  /** Loads the keys file; throws (naming the file) when it is unreadable or malformed. */
  async load(): Promise<void> {
    const info = await stat(this.config.keysFile);
    const text = await readFile(this.config.keysFile, 'utf8');
    const digests = new Set<string>();
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      if (!DIGEST.test(line)) throw new Error(`${this.config.keysFile}:${i + 1}: expected a lower-case hex SHA-256 digest`);
      digests.add(line);
    });
    this.digests = digests;
    this.mtimeMs = info.mtimeMs;
    this.checkedAtMs = Date.now();
  }

  private recheck(): void {
    this.checkedAtMs = Date.now();
    stat(this.config.keysFile)
      .then((info) => (info.mtimeMs !== this.mtimeMs ? this.load() : undefined))
      .catch(() => undefined); // keep the last good key set; the route table reload logs file errors
  }

  authenticate(header: (name: string) => HeaderValue): AuthResult {
    if (Date.now() - this.checkedAtMs > KEYS_RECHECK_MS) this.recheck();
    const key = header(this.config.header);
    if (typeof key !== 'string' || key === '') return this.missing;
    const digest = createHash('sha256').update(key).digest('hex');
    if (!this.digests.has(digest)) return this.invalid;
    return { ok: true, principal: `key:${digest.slice(0, 16)}` };
  }
}

export async function createAuthenticator(config: RouteAuth, jwksCache: JwksCache): Promise<Authenticator> {
  switch (config.type) {
    case 'none':
      return noAuth;
    case 'jwt':
      return new JwtAuthenticator(config, jwksCache);
    case 'api-key': {
      const auth = new ApiKeyAuthenticator(config);
      await auth.load();
      return auth;
    }
  }
}

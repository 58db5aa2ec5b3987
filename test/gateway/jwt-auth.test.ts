// JWT verification against a real local JWKS server (jose createRemoteJWKSet in the gateway).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJwksServer, type JwksServer } from './fixtures/jwks-server.ts';
import { route, startTestGateway, type TestGateway } from './fixtures/test-gateway.ts';
import { startHttpEcho, type EchoSeen } from './fixtures/upstream-servers.ts';

describe('JWT auth', () => {
  let jwks: JwksServer;
  let upstream: Awaited<ReturnType<typeof startHttpEcho>>;
  let gw: TestGateway;

  beforeAll(async () => {
    jwks = await startJwksServer();
    upstream = await startHttpEcho();
    gw = await startTestGateway([
      route({
        name: 'secure',
        kind: 'http',
        upstream: { url: upstream.url },
        auth: { type: 'jwt', jwksUri: jwks.jwksUri, issuer: jwks.issuer, audiences: ['api://chat', 'api://other'], algorithms: ['RS256'] },
        rateLimit: { requestsPerSecond: 1, burst: 3 },
      }),
      route({
        name: 'no-jwks',
        kind: 'http',
        upstream: { url: upstream.url },
        auth: { type: 'jwt', jwksUri: 'http://127.0.0.1:1/jwks.json', issuer: jwks.issuer, audiences: ['api://chat'], algorithms: ['RS256'] },
      }),
    ]);
  });

  afterAll(async () => {
    await gw?.stop();
    await upstream?.close();
    await jwks?.close();
  });

  const call = (path: string, token?: string): Promise<Response> =>
    fetch(`${gw.http}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

  it('accepts a valid token and forwards the request with the Authorization header', async () => {
    const token = await jwks.sign({ sub: 'alice', aud: 'api://chat' });
    const res = await call('/secure/x', token);
    expect(res.status).toBe(200);
    const seen = (await res.json()) as EchoSeen;
    expect(seen.headers.authorization).toBe(`Bearer ${token}`);
    expect(jwks.fetches()).toBeGreaterThanOrEqual(1);
  });

  it('rejects an expired token with 401, WWW-Authenticate and no stack trace', async () => {
    const token = await jwks.sign({ sub: 'alice', aud: 'api://chat' }, -60);
    const res = await call('/secure/x', token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="gateway", error="invalid_token"/);
    const body = await res.text();
    expect(body).toContain('token expired');
    expect(body).not.toMatch(/\n\s+at |node_modules/);
  });

  it('rejects a token for another audience with 401', async () => {
    const token = await jwks.sign({ sub: 'alice', aud: 'api://billing' });
    const res = await call('/secure/x', token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('aud');
  });

  it('rejects a token from another issuer, a garbage token and a missing one with 401', async () => {
    const { SignJWT, generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ sub: 'mallory', aud: 'api://chat' }).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).setIssuer(jwks.issuer).setExpirationTime('5m').sign(privateKey);
    expect((await call('/secure/x', forged)).status).toBe(401);
    expect((await call('/secure/x', 'not.a.jwt')).status).toBe(401);
    const missing = await call('/secure/x');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="gateway"');
  });

  it('rate-limits by token subject, not by address', async () => {
    const bob = await jwks.sign({ sub: 'bob', aud: 'api://other' });
    const carol = await jwks.sign({ sub: 'carol', aud: 'api://other' });
    const bobStatuses: number[] = [];
    for (let i = 0; i < 4; i++) bobStatuses.push((await call('/secure/x', bob)).status);
    expect(bobStatuses).toEqual([200, 200, 200, 429]);
    expect((await call('/secure/x', carol)).status).toBe(200);
  });

  it('answers 503 (not 401) when the key set cannot be fetched', async () => {
    const token = await jwks.sign({ sub: 'alice', aud: 'api://chat' });
    const res = await call('/no-jwks/x', token);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).not.toBeNull();
  });
});

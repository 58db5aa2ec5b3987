// SIGTERM on a real gateway process under load with open streams: readiness turns 503, every
// request that was sent succeeds, open SSE and gRPC streams finish normally, WebSockets get
// 1001, and the process exits 0.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile, rm } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTempDir, route, waitFor } from './fixtures/test-gateway.ts';
import { EchoClient, startGrpcUpstream, startHttpEcho, startSseUpstream, startWsUpstream } from './fixtures/upstream-servers.ts';

describe('drain on SIGTERM', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let exited: Promise<number | null>;
  let output = '';
  const ports = { http: 0, grpc: 0, admin: 0 };
  let echo: Awaited<ReturnType<typeof startHttpEcho>>;
  let sse: Awaited<ReturnType<typeof startSseUpstream>>;
  let ws: Awaited<ReturnType<typeof startWsUpstream>>;
  let grpcUp: Awaited<ReturnType<typeof startGrpcUpstream>>;

  beforeAll(async () => {
    [echo, sse, ws, grpcUp] = await Promise.all([startHttpEcho(), startSseUpstream(), startWsUpstream(), startGrpcUpstream()]);
    dir = await makeTempDir();
    const routesFile = path.join(dir, 'gateway-routes.json');
    await writeFile(
      routesFile,
      JSON.stringify({
        version: 1,
        routes: [
          route({ name: 'http', kind: 'http', upstream: { url: echo.url } }),
          route({ name: 'feed', kind: 'sse', upstream: { url: sse.url } }),
          route({ name: 'ws', kind: 'websocket', upstream: { url: ws.url } }),
          route({ name: 'echo', kind: 'grpc', match: { pathPrefix: '/test.Echo' }, upstream: { url: grpcUp.url } }),
        ],
      }),
    );
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'gateway/src/main.ts', '--routes', routesFile, '--host', '127.0.0.1', '--http-port', '0', '--grpc-port', '0', '--admin-port', '0', '--drain-delay-ms', '500', '--drain-timeout-ms', '5000'],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    exited = new Promise((resolve) => child?.once('exit', (code) => resolve(code)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    await waitFor('gateway listening', () => output.includes('"gateway listening"'), 20_000);
    const line = output.split('\n').find((l) => l.includes('"gateway listening"')) as string;
    const listening = JSON.parse(line) as { httpPort: number; grpcPort: number; adminPort: number };
    ports.http = listening.httpPort;
    ports.grpc = listening.grpcPort;
    ports.admin = listening.adminPort;
  });

  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) child.kill('SIGKILL');
    await Promise.all([echo?.close(), sse?.close(), ws?.close(), grpcUp?.close()]);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('serves in-flight work, closes WebSockets with 1001 and exits 0', async () => {
    const base = `http://127.0.0.1:${ports.http}`;
    // An open SSE stream (first event received).
    let sseText = '';
    const sseDone = new Promise<void>((resolve, reject) => {
      http.get(`${base}/feed`, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => (sseText += c));
        res.on('end', resolve);
        res.on('error', reject);
      }).on('error', reject);
    });
    await waitFor('first SSE event', () => sseText.includes('first'));
    // An open gRPC bidi stream (one exchange done).
    const client = new EchoClient(`127.0.0.1:${ports.grpc}`, grpc.credentials.createInsecure());
    const identity = (b: Buffer): Buffer => b;
    const call = client.makeBidiStreamRequest('/test.Echo/Chat', identity, identity) as grpc.ClientDuplexStream<Buffer, Buffer>;
    const replies: string[] = [];
    call.on('data', (m: Buffer) => replies.push(m.toString()));
    const grpcStatus = new Promise<grpc.StatusObject>((resolve) => call.once('status', resolve));
    call.write(Buffer.from('before'));
    await waitFor('gRPC reply', () => replies.length === 1);
    // An open WebSocket.
    const socket = new WebSocket(`ws://127.0.0.1:${ports.http}/ws/echo`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const wsClosed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

    // Load: workers issue requests until they see readiness go 503 (as a load balancer would).
    const agent = new Agent({ connections: 8 });
    let stopIssuing = false;
    const statuses: Array<number | string> = [];
    const worker = async (): Promise<void> => {
      while (!stopIssuing) {
        try {
          const res = await request(`${base}/http/load?delay=20`, { dispatcher: agent });
          await res.body.dump();
          statuses.push(res.statusCode);
        } catch (err) {
          statuses.push((err as Error).message);
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await waitFor('load running', () => statuses.length >= 40);

    child?.kill('SIGTERM');
    await waitFor('readiness 503', async () => {
      try {
        return (await fetch(`http://127.0.0.1:${ports.admin}/readyz`)).status === 503;
      } catch {
        return false;
      }
    });
    stopIssuing = true;
    await Promise.all(workers);
    expect(await wsClosed).toBe(1001);

    // Streams opened before SIGTERM keep working through the drain.
    call.write(Buffer.from('after'));
    await waitFor('gRPC reply after SIGTERM', () => replies.length === 2);
    call.end();
    sse.release();
    await sseDone;

    expect(await exited).toBe(0);
    expect(statuses.length).toBeGreaterThan(40);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(replies).toEqual(['BEFORE', 'AFTER']);
    const status = await grpcStatus;
    expect(status.code).toBe(grpc.status.OK);
    expect(status.metadata.get('x-count')).toEqual(['2']);
    expect(sseText).toContain('data: second');
    expect(output).toContain('"message":"drained","timedOut":false');
    client.close();
    await agent.close();
  });
});

/**
 * The EDGE rules over the rendered edge configs (dist/<env>/edge/: nginx.conf, kong.yml,
 * gateway-routes.json), in id order: the timeout chain, keepalive behind the GLB, gRPC
 * timeouts, unbuffered streams and WebSocket upgrades, authentication, nginx's catch-all.
 */
import type { Rule } from '../engine.ts';
import { edgeTimeoutChain } from './edge-timeout-chain.ts';
import { edgeKeepalive } from './edge-keepalive.ts';
import { edgeGrpcTimeouts } from './edge-grpc-timeouts.ts';
import { edgeStreamRoutes } from './edge-stream-routes.ts';
import { edgeGatewayAuth } from './edge-gateway-auth.ts';
import { edgeKongAuth } from './edge-kong-auth.ts';
import { edgeCatchAll } from './edge-catch-all.ts';

export const EDGE_RULES: readonly Rule[] = [edgeTimeoutChain, edgeKeepalive, edgeGrpcTimeouts, edgeStreamRoutes, edgeGatewayAuth, edgeKongAuth, edgeCatchAll];

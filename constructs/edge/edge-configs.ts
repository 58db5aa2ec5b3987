/**
 * The three rendered edge configs of one environment, as `dist/<env>/edge/` holds them:
 * nginx.conf, kong.yml, gateway-routes.json. Deterministic: the same catalog gives the same bytes.
 * The Kubernetes ConfigMaps embed exactly these texts (charts/), so `dist/<env>/edge/` is what
 * the cluster runs, readable and diffable on its own.
 */
import type { PlatformPlan } from '../platform-plan.ts';
import { renderGatewayRoutes } from './gateway-routes.ts';
import { renderKongConfig } from './kong-config.ts';
import { renderNginxConf } from './nginx-conf.ts';
import type { EdgeRenderOptions } from './render-options.ts';

export const EDGE_FILES = ['nginx.conf', 'kong.yml', 'gateway-routes.json'] as const;
export type EdgeFile = (typeof EDGE_FILES)[number];

export function renderEdgeConfigs(plan: PlatformPlan, options: EdgeRenderOptions = {}): Readonly<Record<EdgeFile, string>> {
  return {
    'nginx.conf': renderNginxConf(plan.env, plan.routes, plan.edge, options),
    'kong.yml': renderKongConfig(plan.env, plan.routes, plan.edge, options),
    'gateway-routes.json': renderGatewayRoutes(plan.routes, plan.edge, options),
  };
}

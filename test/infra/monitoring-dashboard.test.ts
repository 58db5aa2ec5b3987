// The platform stack carries one Cloud Monitoring dashboard per environment, rendered from the
// plan, in the environment's project, created after the Monitoring API is enabled.
import { describe, expect, it } from 'vitest';
import { App, Testing } from 'cdktf';
import { PlatformStack } from '../../infra/platform-stack.ts';
import { dashboardJson } from '../../constructs/observability/dashboard.ts';
import { planOf } from '../plan-fixtures.ts';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

describe('platform stack: the SLO dashboard', () => {
  it.each(['dev', 'staging', 'prod'] as const)('%s: one google_monitoring_dashboard with the rendered JSON, after the Monitoring API', (envName) => {
    const plan = planOf(envName);
    const tf = JSON.parse(Testing.synth(new PlatformStack(new App({ stackTraces: false }), { plan }))) as { resource: Resources };
    const dashboards = Object.entries(tf.resource.google_monitoring_dashboard ?? {});
    expect(dashboards).toHaveLength(1);
    const [address, dashboard] = dashboards[0] ?? [];
    // The construct id is public API: it is the Terraform address.
    expect(address).toMatch(/^slo-dashboard_[0-9A-F]{8}$/);
    expect(dashboard?.project).toBe(plan.env.gcp.projectId);
    expect(dashboard?.dashboard_json).toBe(dashboardJson(plan));
    expect(JSON.parse(String(dashboard?.dashboard_json)).displayName).toBe(`${envName}-platform-slos`);
    expect(dashboard?.depends_on).toEqual(['google_project_service.api-monitoring']);
    expect(tf.resource.google_project_service?.['api-monitoring']).toMatchObject({ service: 'monitoring.googleapis.com', disable_on_destroy: false });
  });
});

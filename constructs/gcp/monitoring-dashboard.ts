/**
 * The environment's Cloud Monitoring dashboard: one google_monitoring_dashboard whose JSON is
 * rendered from the plan (constructs/observability/dashboard.ts). The resource holds no
 * credential: only PromQL queries, titles and thresholds.
 */
import { Construct } from 'constructs';
import { MonitoringDashboard as GoogleMonitoringDashboard } from '@cdktf/provider-google/lib/monitoring-dashboard/index.js';
import type { PlatformPlan } from '../platform-plan.ts';
import { dashboardJson } from '../observability/dashboard.ts';

export interface MonitoringDashboardProps {
  readonly plan: PlatformPlan;
}

export class MonitoringDashboard extends Construct {
  readonly dashboard: GoogleMonitoringDashboard;

  constructor(scope: Construct, id: string, props: MonitoringDashboardProps) {
    super(scope, id);
    this.dashboard = new GoogleMonitoringDashboard(this, 'dashboard', {
      project: props.plan.env.gcp.projectId,
      dashboardJson: dashboardJson(props.plan),
    });
  }
}

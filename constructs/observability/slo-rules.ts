/**
 * Renders the observability plan into Prometheus rule groups, one set per GMP rules object
 * (`Rules` in the namespace whose metrics they read, `ClusterRules`, `GlobalRules` for Cloud
 * Monitoring metrics): per SLO the error ratio recorded for every window the alerts need, the
 * 30-day ratio and the budget left, and the SRE workbook's multi-window multi-burn-rate alerts
 * (page: 14.4× over 1 h and 5 m, or 6× over 6 h and 30 m; ticket: 3× over 1 d and 2 h, or 1× over
 * 3 d and 6 h). The same groups run in real Prometheus in the tests. Pure.
 *
 * Zero traffic: every error ratio is `errors / total`, which is NaN when nothing was served (and
 * an absent series when nothing ever was); NaN compares false, so silence never alerts, and
 * errors that were never counted read 0 (`errors or 0 * total`), not "no data".
 */
import {
  BURN_WINDOWS,
  PERIOD_WINDOW,
  SLI_WINDOWS,
  WINDOW,
  errorRatioRecord,
  runbookUrl,
  type ObservabilityPlan,
  type RulesScope,
  type Severity,
  type SloPlan,
} from './slo-plan.ts';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}
export type Rule = AlertRule | RecordingRule;

export interface RuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: readonly Rule[];
}

export interface RulesObject {
  readonly kind: RulesScope['kind'];
  /** `Rules` only. */
  readonly namespace?: string;
  readonly name: string;
  readonly groups: readonly RuleGroup[];
}

export interface RuleRenderOptions {
  /**
   * Multiplies every window, `for` and evaluation interval (tests run a 1 h window as 1 m with
   * 1/60), like the edge renderers' timeout scale. 1 in production.
   */
  readonly windowScale?: number;
}

const UNITS: readonly [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

export function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a Prometheus duration: ${text}`);
  const unit = UNITS.find(([u]) => u === m[2]);
  return Number(m[1]) * unit![1];
}

/** Milliseconds → the shortest exact Prometheus duration (`90000` → `90s`, `3600000` → `1h`). */
export function formatDuration(ms: number): string {
  const whole = Math.max(1, Math.round(ms));
  for (const [unit, size] of UNITS) if (whole % size === 0) return `${whole / size}${unit}`;
  return `${whole}ms`;
}

export function scaleDuration(text: string, scale: number): string {
  return scale === 1 ? text : formatDuration(durationMs(text) * scale);
}

/** Prometheus floats in PromQL: no exponent, no trailing noise (`0.001`, `0.0144`). */
function num(value: number): string {
  return String(Number(value.toPrecision(12)));
}

export function errorBudget(slo: Pick<SloPlan, 'objective'>): number {
  return Number((1 - slo.objective / 100).toPrecision(12));
}

export function sloLabels(plan: ObservabilityPlan, slo: SloPlan): Record<string, string> {
  return { slo: slo.name, sli: slo.sli, service: slo.service, ...(slo.route ? { route: slo.route } : {}), env: plan.env };
}

function selectorOf(slo: SloPlan): string {
  return `{slo="${slo.name}"}`;
}

const SEVERITY_WORDS: Readonly<Record<Severity, string>> = { page: 'pages', ticket: 'opens a ticket' };

function windowsText(severity: Severity): string {
  return BURN_WINDOWS[severity].map((w) => `${w.factor}× over ${w.long} and ${w.short}`).join(', or ');
}

function dashboardUrl(plan: ObservabilityPlan): string {
  return `https://console.cloud.google.com/monitoring/dashboards?project=${plan.projectId}&pageState=(%22dashboards%22:(%22t%22:%22${plan.dashboardName}%22))`;
}

function sloGroup(plan: ObservabilityPlan, slo: SloPlan, scale: number): RuleGroup {
  const labels = sloLabels(plan, slo);
  const sel = selectorOf(slo);
  const w = (window: string): string => scaleDuration(window, scale);
  const rules: Rule[] = [];
  if (slo.mode === 'ratio') {
    for (const window of SLI_WINDOWS) {
      rules.push({ record: errorRatioRecord(window), expr: slo.errorRatio!.replaceAll(WINDOW, w(window)), labels });
    }
  } else {
    rules.push({ record: 'slo:sli_error:bad', expr: slo.badNow!, labels });
    for (const window of SLI_WINDOWS) {
      rules.push({ record: errorRatioRecord(window), expr: `avg_over_time(slo:sli_error:bad${sel}[${w(window)}])`, labels });
    }
  }
  // The period's ratio from the 5 m one (as sloth does): a 30-day range over raw counters is the costliest query there is.
  rules.push({ record: errorRatioRecord(PERIOD_WINDOW), expr: `avg_over_time(${errorRatioRecord('5m')}${sel}[${w(PERIOD_WINDOW)}])`, labels });
  const budget = errorBudget(slo);
  rules.push({ record: 'slo:error_budget:remaining', expr: `1 - ${errorRatioRecord(PERIOD_WINDOW)}${sel} / ${num(budget)}`, labels });
  rules.push({ record: 'slo:objective:ratio', expr: `vector(${num(slo.objective / 100)})`, labels });

  const threshold = slo.threshold ? ` within ${slo.threshold.value} ${slo.threshold.unit}` : '';
  for (const severity of slo.severities) {
    const burns = BURN_WINDOWS[severity].map(
      (b) => `(${errorRatioRecord(b.long)}${sel} / ${num(budget)} > ${num(b.factor)} and ${errorRatioRecord(b.short)}${sel} / ${num(budget)} > ${num(b.factor)})`,
    );
    const where = slo.route ? `route ${slo.route}` : slo.service;
    rules.push({
      alert: slo.alert,
      expr: burns.join(' or '),
      labels: { ...labels, severity },
      annotations: {
        summary: `${where} in ${plan.env}: ${slo.sli}${threshold} is burning its ${PERIOD_WINDOW} error budget at {{ $value | printf "%.1f" }}× (objective ${slo.objective} %; ${SEVERITY_WORDS[severity]} at ${windowsText(severity)})`,
        description: slo.description,
        runbook_url: runbookUrl(plan, slo.alert),
        dashboard: dashboardUrl(plan),
      },
    });
  }
  // A label object per rule: shared objects would come out as YAML anchors and aliases.
  return { name: `slo-${slo.name}`, interval: w('30s'), rules: rules.map((r) => ({ ...r, labels: { ...r.labels } })) };
}

function scopeKey(scope: RulesScope): string {
  return scope.kind === 'Rules' ? `Rules/${scope.namespace}` : scope.kind;
}

/** Every rules object of the environment, in a stable order (Rules by namespace, then ClusterRules, GlobalRules). */
export function renderRules(plan: ObservabilityPlan, options: RuleRenderOptions = {}): RulesObject[] {
  const scale = options.windowScale ?? 1;
  const objects = new Map<string, { scope: RulesScope; groups: RuleGroup[] }>();
  const add = (scope: RulesScope, group: RuleGroup): void => {
    const key = scopeKey(scope);
    const entry = objects.get(key) ?? { scope, groups: [] };
    entry.groups.push(group);
    objects.set(key, entry);
  };
  for (const slo of plan.slos) add(slo.scope, sloGroup(plan, slo, scale));
  const saturation = new Map<string, { scope: RulesScope; rules: AlertRule[] }>();
  for (const s of plan.saturation) {
    const key = scopeKey(s.scope);
    const entry = saturation.get(key) ?? { scope: s.scope, rules: [] };
    entry.rules.push({
      alert: s.alert,
      expr: s.expr,
      ...(s.for !== '0m' ? { for: scaleDuration(s.for, scale) } : {}),
      labels: { severity: s.severity, service: s.service, env: plan.env },
      annotations: { summary: s.summary, description: s.description, runbook_url: runbookUrl(plan, s.alert), dashboard: dashboardUrl(plan) },
    });
    saturation.set(key, entry);
  }
  for (const { scope, rules } of saturation.values()) add(scope, { name: scope.kind === 'ClusterRules' ? 'saturation-cluster' : 'saturation-project', interval: scaleDuration('60s', scale), rules });
  const order = (scope: RulesScope): string => (scope.kind === 'Rules' ? `0${scope.namespace}` : scope.kind === 'ClusterRules' ? '1' : '2');
  return [...objects.values()]
    .sort((a, b) => order(a.scope).localeCompare(order(b.scope)))
    .map(({ scope, groups }) => ({
      kind: scope.kind,
      ...(scope.kind === 'Rules' ? { namespace: scope.namespace, name: 'slos' } : { name: `${plan.env}-${scope.kind === 'ClusterRules' ? 'cluster' : 'project'}-slos` }),
      groups,
    }));
}

/** Every alert rule, flattened (policies and the runbooks read this list). */
export function alertRules(objects: readonly RulesObject[]): AlertRule[] {
  return objects.flatMap((o) => o.groups.flatMap((g) => g.rules.filter((r): r is AlertRule => 'alert' in r)));
}

/**
 * `synth`: every environment (or `--env`), both apps, in ONE process, atomically: the catalog
 * is validated first (any problem → exit 1, nothing written), then cdktf and cdk8s write into
 * a staging directory that is renamed into place only when everything succeeded.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { importCatalog, parseEnvironments } from '../../environments/load.ts';
import { derivePlan } from '../../constructs/platform-plan.ts';
import { buildInfraApp } from '../../infra/app.ts';
import { synthEnvironment } from '../../charts/platform-charts.ts';
import type { PlatformPlan } from '../../constructs/platform-plan.ts';
import type { ManifestObject } from '../../infra/k8s-stack.ts';
import { RULES } from '../../policies/index.ts';
import { CatalogSources } from '../../policies/catalog-sources.ts';
import { assertWaiversValid, hasOpenErrors, runPolicies } from '../../policies/policy-run.ts';
import { countResults, renderReport } from '../../policies/report.ts';
import { policyDate } from '../../policies/waiver-clock.ts';
import { createStaging, discardStaging, publish } from '../atomic-output.ts';
import { table } from '../report-table.ts';
import type { Flags } from '../args.ts';
import { policyEnvironment } from './check.ts';

export interface SynthSummary {
  readonly env: string;
  readonly terraformResources: number;
  readonly kubernetesObjects: number;
  readonly ms: number;
}

export async function synth(flags: Pick<Flags, 'env' | 'out' | 'catalog' | 'policies'>): Promise<number> {
  const started = performance.now();
  const catalog = await importCatalog(flags.catalog);
  const envs = parseEnvironments(catalog, flags.env.length > 0 ? flags.env : undefined);
  const whole = flags.env.length === 0;
  // Waivers naming no rule, and a bad PLATFORM_TODAY, are bad input: found before anything is written.
  assertWaiversValid(envs);
  const today = policyDate();

  const staging = await createStaging(flags.out);
  const summaries: SynthSummary[] = [];
  try {
    const plans = envs.map(derivePlan);
    // Charts first: the k8s-<env> stacks apply exactly the objects they synthesize.
    const charted = new Map<PlatformPlan, { objects: readonly ManifestObject[]; count: number; ms: number }>();
    for (const plan of plans) {
      const t0 = performance.now();
      const charts = await synthEnvironment(plan, join(staging.dist, plan.env.name));
      charted.set(plan, { objects: charts.objects, count: charts.objects.length, ms: performance.now() - t0 });
    }
    const t0 = performance.now();
    const { app, stacks } = buildInfraApp(plans, (plan) => charted.get(plan)?.objects ?? [], staging.cdktfOut);
    const infraMs = (performance.now() - t0) / plans.length;
    for (const [i, plan] of plans.entries()) {
      const stack = stacks[i];
      const k8s = charted.get(plan);
      summaries.push({
        env: plan.env.name,
        terraformResources: stack ? stack.platform.resourceCount() + stack.controlPlanes.resourceCount() + stack.k8s.resourceCount() : 0,
        kubernetesObjects: k8s?.count ?? 0,
        ms: (k8s?.ms ?? 0) + infraMs,
      });
    }
    app.synth();
    await publish(staging, flags.out, envs.map((e) => e.name), whole);
  } catch (err) {
    await discardStaging(staging);
    throw err;
  }
  const synthMs = performance.now() - started;

  let exitCode = 0;
  let policyCell = (_env: string): string => 'skipped';
  if (flags.policies) {
    const sources = await CatalogSources.read(flags.catalog);
    const run = await runPolicies(flags.out, envs.map((e) => policyEnvironment(e, sources, flags.catalog)), today);
    policyCell = (env) => {
      const c = countResults(run.results.filter((r) => r.target.env === env));
      const waived = c.waived > 0 ? `, ${c.waived} waived` : '';
      return c.error + c.warning === 0 ? `${RULES.length} rules ok${waived}` : `${c.error} errors, ${c.warning} warnings${waived}`;
    };
    if (run.results.length > 0) console.log(renderReport(run, 'table'), '\n');
    if (hasOpenErrors(run)) exitCode = 2;
  }
  console.log(
    table(
      ['environment', 'terraform resources', 'kubernetes objects', 'policies', 'time'],
      summaries.map((s) => [s.env, String(s.terraformResources), String(s.kubernetesObjects), policyCell(s.env), `${Math.round(s.ms)} ms`]),
    ),
  );
  console.log(
    `\nsynthesized ${envs.length} environment${envs.length === 1 ? '' : 's'} in ${(synthMs / 1000).toFixed(2)} s → ${join(flags.out, 'cdktf.out')}, ${join(flags.out, 'dist')}`,
  );
  return exitCode;
}


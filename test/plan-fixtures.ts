/** Plans of the real catalog, for tests that synthesize one layer. */
import catalog from '../environments/index.ts';
import { parseEnvironments } from '../environments/load.ts';
import { derivePlan, type PlatformPlan } from '../constructs/platform-plan.ts';

export function planOf(envName: 'dev' | 'staging' | 'prod'): PlatformPlan {
  const [env] = parseEnvironments(catalog, [envName]);
  if (!env) throw new Error(`no environment ${envName}`);
  return derivePlan(env);
}

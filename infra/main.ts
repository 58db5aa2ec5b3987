/**
 * Entry point for the official CLI (`npx cdktf synth|deploy`, see cdktf.json). `npm start`
 * does the same work in-process, for every layer at once (cli/commands/synth.ts).
 */
import { DEFAULT_CATALOG, importCatalog, parseEnvironments } from '../environments/load.ts';
import { derivePlan } from '../constructs/platform-plan.ts';
import { buildCharts, chartObjects } from '../charts/platform-charts.ts';
import { buildInfraApp } from './app.ts';

const catalog = await importCatalog(process.env.PLATFORM_CATALOG ?? DEFAULT_CATALOG);
const envs = parseEnvironments(catalog);
// The k8s-<env> stacks apply the charts' objects: built in memory here (`npx cdk8s synth` writes them).
buildInfraApp(envs.map(derivePlan), (plan) => chartObjects(buildCharts(plan, 'dist').app)).app.synth();

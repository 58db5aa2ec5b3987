/**
 * Entry point for the official CLI (`npx cdk8s synth`, see cdk8s.yaml): writes
 * `<outdir>/<env>/*.yaml` for every environment. `npm start` does the same in-process.
 */
import { join } from 'node:path';
import { DEFAULT_CATALOG, importCatalog, parseEnvironments } from '../environments/load.ts';
import { derivePlan } from '../constructs/platform-plan.ts';
import { synthEnvironment } from './platform-charts.ts';

const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
const catalog = await importCatalog(process.env.PLATFORM_CATALOG ?? DEFAULT_CATALOG);
for (const env of parseEnvironments(catalog)) await synthEnvironment(derivePlan(env), join(outdir, env.name));

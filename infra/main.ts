/**
 * Entry point for the official CLI (`npx cdktf synth|deploy`, see cdktf.json). `npm start`
 * does the same work in-process, for every layer at once (cli/commands/synth.ts).
 */
import { DEFAULT_CATALOG, importCatalog, parseEnvironments } from '../environments/load.ts';
import { derivePlan } from '../constructs/platform-plan.ts';
import { buildInfraApp } from './app.ts';

const catalog = await importCatalog(process.env.PLATFORM_CATALOG ?? DEFAULT_CATALOG);
const envs = parseEnvironments(catalog);
buildInfraApp(envs.map(derivePlan)).app.synth();

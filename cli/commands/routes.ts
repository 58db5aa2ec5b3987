/**
 * `routes`: every public route of one environment with its hops and timeouts, read from the
 * catalog through the derived plan — what a reviewer reads to see what a catalog change does
 * to the edge. `--format mermaid` is README's request-path diagram (for prod).
 */
import { z } from 'zod';
import { derivePlan } from '../../constructs/platform-plan.ts';
import { ROUTE_TABLE_HEADERS, ROUTE_TABLE_LEGEND, routeRows, routesJson, routesMermaid } from '../../constructs/edge/route-report.ts';
import { DEFAULT_CATALOG } from '../../environments/load.ts';
import { catalogEnvironments } from '../catalog-environments.ts';
import { parseCommandFlags } from '../command-flags.ts';
import { table } from '../report-table.ts';

export const ROUTES_FORMATS = ['table', 'json', 'mermaid'] as const;

export const ROUTES_USAGE = `usage: platform routes --env <name> [--format table|json|mermaid] [--catalog <file>]

Every public route of one environment: host, path prefix, protocol, via (kong|gateway),
upstream (service.namespace:port or Pub/Sub topic), GLB/Nginx/proxy/service timeouts
(total and idle, seconds), auth and rate limit.

flags:
  --env <name>        the environment (exactly one)
  --format <f>        table (default) | json (array of routes) | mermaid (flowchart LR)
  --catalog <file>    catalog module (default: ${DEFAULT_CATALOG})
  --help`;

const Flags = z.object({
  env: z
    .array(z.string().regex(/^[a-z][-a-z0-9]*$/, 'must be an environment name'), { message: 'is required: name one environment' })
    .length(1, 'name exactly one environment'),
  format: z.enum(ROUTES_FORMATS, { message: `must be one of ${ROUTES_FORMATS.join(', ')}` }).default('table'),
  catalog: z.string().min(1, 'must name a catalog module').default(DEFAULT_CATALOG),
});
type Flags = z.infer<typeof Flags>;

function parseFlags(argv: readonly string[]): Flags | 'help' {
  return parseCommandFlags(argv, {
    usage: ROUTES_USAGE,
    options: { env: { type: 'string', multiple: true }, format: { type: 'string' }, catalog: { type: 'string' } },
    schema: Flags,
  });
}

export async function run(argv: readonly string[]): Promise<number> {
  const flags = parseFlags(argv);
  if (flags === 'help') {
    console.log(ROUTES_USAGE);
    return 0;
  }
  const [envName] = flags.env;
  const [env] = await catalogEnvironments(flags.catalog, [envName], ROUTES_USAGE);
  if (!env) throw new Error(`environment ${envName} did not parse`);
  const { routes } = derivePlan(env);
  switch (flags.format) {
    case 'table':
      console.log(`${env.name}: ${routes.length} public route${routes.length === 1 ? '' : 's'}\n`);
      console.log(table(ROUTE_TABLE_HEADERS, routeRows(routes)));
      console.log(`\n${ROUTE_TABLE_LEGEND}`);
      break;
    case 'json':
      console.log(routesJson(routes));
      break;
    case 'mermaid':
      console.log(routesMermaid(routes));
      break;
  }
  return 0;
}

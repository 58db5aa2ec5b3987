// Single-file bundle of the gateway: gateway/dist/gateway.cjs runs with `node gateway.cjs`
// and no node_modules beside it.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const outfile = path.join(here, 'dist', 'gateway.cjs');

await build({
  entryPoints: [path.join(here, 'src', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: false,
  legalComments: 'linked',
  logLevel: 'warning',
  // ws optionally loads native helpers; the pure-JS paths are used when they are absent.
  external: ['bufferutil', 'utf-8-validate'],
});
process.stdout.write(`${outfile}\n`);

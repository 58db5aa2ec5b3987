// The gateway's single-file bundle (esbuild): `node gateway.cjs` runs with no node_modules beside
// it. Used by build.ts (the image, `npm run gateway:bundle`) and by tests that run the bundle.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

export async function bundleGateway(outfile: string): Promise<void> {
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
}

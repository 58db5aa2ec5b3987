// Single-file bundle of the gateway: gateway/dist/gateway.cjs runs with `node gateway.cjs`
// and no node_modules beside it.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { bundleGateway } from './bundle.ts';

const outfile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dist', 'gateway.cjs');
await bundleGateway(outfile);
process.stdout.write(`${outfile}\n`);

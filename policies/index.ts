/** Every policy rule, in report order. Add a rule here and it runs in `npm start` and `check`. */
import type { Rule } from './engine.ts';
import { gkeClusterHardening } from './rules/gke-cluster-hardening.ts';
import { nodePoolHardening } from './rules/node-pool-hardening.ts';
import { containerHardening } from './rules/container-hardening.ts';
import { gpuIsolation } from './rules/gpu-isolation.ts';
import { hpaTarget } from './rules/hpa-target.ts';

export const RULES: readonly Rule[] = [gkeClusterHardening, nodePoolHardening, containerHardening, gpuIsolation, hpaTarget];

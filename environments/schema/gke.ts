/** The catalog's `gke` section: cluster, maintenance window (GKE's availability rule), CPU and GPU pools. */
import { z } from 'zod';
import { ACCELERATOR_TYPES, ACCELERATORS, machineFitProblem } from '../gpu-catalog.ts';
import { dnsLabel } from './primitives.ts';

const CpuPoolSchema = z
  .object({
    name: dnsLabel,
    machineType: z.string().regex(/^[a-z0-9]+-[a-z0-9-]+$/, 'must be a machine type like e2-standard-4'),
    minNodes: z.number().int().min(0),
    maxNodes: z.number().int().min(1),
    spot: z.boolean().default(false),
    diskSizeGb: z.number().int().min(20).default(100),
    diskType: z.enum(['pd-standard', 'pd-balanced', 'pd-ssd']).default('pd-balanced'),
  })
  .superRefine((pool, ctx) => {
    if (pool.minNodes > pool.maxNodes) {
      ctx.addIssue({ code: 'custom', path: ['minNodes'], message: `is above maxNodes (${pool.maxNodes})` });
    }
  });

const GpuSharingSchema = z.discriminatedUnion('strategy', [
  z.object({ strategy: z.literal('time-sharing'), maxSharedClientsPerGpu: z.number().int().min(2).max(48) }),
  z.object({ strategy: z.literal('mig'), partitionSize: z.string() }),
]);

const GpuPoolSchema = z
  .object({
    name: dnsLabel,
    accelerator: z.enum(ACCELERATOR_TYPES),
    count: z.number().int().min(1).default(1),
    machineType: z.string(),
    driverVersion: z.enum(['DEFAULT', 'LATEST', 'INSTALLATION_DISABLED']).default('LATEST'),
    sharing: GpuSharingSchema.optional(),
    spot: z.boolean().default(false),
    minNodes: z.number().int().min(0).default(0),
    maxNodes: z.number().int().min(1),
    /** Zones that offer this accelerator; default: the environment's zones. */
    zones: z.array(z.string()).min(1).optional(),
  })
  .superRefine((pool, ctx) => {
    const fit = machineFitProblem(pool.accelerator, pool.machineType, pool.count);
    if (fit) ctx.addIssue({ code: 'custom', path: ['machineType'], message: fit });
    if (pool.minNodes > pool.maxNodes) {
      ctx.addIssue({ code: 'custom', path: ['minNodes'], message: `is above maxNodes (${pool.maxNodes})` });
    }
    if (pool.sharing?.strategy === 'mig') {
      const sizes = ACCELERATORS[pool.accelerator].migPartitions;
      if (!sizes) {
        ctx.addIssue({ code: 'custom', path: ['sharing', 'strategy'], message: `${pool.accelerator} does not support MIG` });
      } else if (!sizes.includes(pool.sharing.partitionSize)) {
        ctx.addIssue({
          code: 'custom',
          path: ['sharing', 'partitionSize'],
          message: `"${pool.sharing.partitionSize}" is not a MIG partition of ${pool.accelerator}; use one of ${sizes.join(', ')}`,
        });
      }
    }
  });

const utcTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'must be an RFC 3339 UTC time like 2026-01-03T02:00:00Z');

/** The recurrences we can check against GKE's availability rule: daily, or weekly on given days. */
const RECURRENCE = /^FREQ=(DAILY|WEEKLY;BYDAY=((MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*))$/;

/**
 * GKE requires ≥ 48 h of maintenance availability in any 32-day window, counting only
 * contiguous windows of ≥ 4 h; a cluster with less is rejected at creation.
 */
const MaintenanceWindowSchema = z
  .object({
    /** Start of the first window, UTC. */
    start: utcTime,
    end: utcTime,
    recurrence: z.string().regex(RECURRENCE, 'must be FREQ=DAILY or FREQ=WEEKLY;BYDAY=<days> (e.g. SA,SU)'),
  })
  .superRefine((w, ctx) => {
    const hours = (Date.parse(w.end) - Date.parse(w.start)) / 3_600_000;
    if (!(hours >= 4)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'windows must last at least 4 h (GKE ignores shorter ones)' });
      return;
    }
    const m = RECURRENCE.exec(w.recurrence);
    if (!m) return;
    // In any 32 days each weekday occurs at least 4 times.
    const perWindow = Math.min(hours, 24);
    const occurrences = m[1] === 'DAILY' ? 32 : 4 * new Set((m[2] ?? '').split(',')).size;
    if (perWindow * occurrences < 48) {
      ctx.addIssue({
        code: 'custom',
        path: ['recurrence'],
        message: `allows ${perWindow * occurrences} h per 32 days; GKE requires at least 48 h (longer windows or more days)`,
      });
    }
  });

export const GkeSchema = z.object({
  clusterName: dnsLabel,
  /** zonal: control plane and nodes in the first zone; regional: replicated across the region. */
  locationType: z.enum(['zonal', 'regional']),
  releaseChannel: z.enum(['RAPID', 'REGULAR', 'STABLE']).default('REGULAR'),
  maintenanceWindow: MaintenanceWindowSchema,
  privateEndpoint: z.boolean().default(false),
  deletionProtection: z.boolean().default(true),
  cpuPools: z.array(CpuPoolSchema).min(1, 'needs at least one CPU pool (system pods and non-GPU workloads)'),
  gpuPools: z.array(GpuPoolSchema).default([]),
});

/**
 * What Google Cloud offers per GPU type: the machine types that carry it (and how many GPUs
 * each carries) and the MIG partition sizes it supports. Used to reject a GPU pool whose
 * machine type cannot host its accelerator before Terraform or the GKE API would.
 * Source: Google Cloud "GPU platforms" and "Running multi-instance GPUs" pages.
 */

export const ACCELERATOR_TYPES = [
  'nvidia-l4',
  'nvidia-tesla-t4',
  'nvidia-tesla-a100',
  'nvidia-a100-80gb',
  'nvidia-h100-80gb',
] as const;
export type AcceleratorType = (typeof ACCELERATOR_TYPES)[number];

interface AcceleratorFacts {
  /** Fixed-shape machine types and the GPU count each one carries. */
  readonly machines?: Readonly<Record<string, number>>;
  /** Machine families that attach a chosen number of GPUs (N1 + T4). */
  readonly attachTo?: { readonly familyPrefix: string; readonly counts: readonly number[] };
  /** MIG partition sizes; absent when the GPU has no MIG. */
  readonly migPartitions?: readonly string[];
}

export const ACCELERATORS: Readonly<Record<AcceleratorType, AcceleratorFacts>> = {
  'nvidia-l4': {
    machines: {
      'g2-standard-4': 1, 'g2-standard-8': 1, 'g2-standard-12': 1, 'g2-standard-16': 1,
      'g2-standard-24': 2, 'g2-standard-32': 1, 'g2-standard-48': 4, 'g2-standard-96': 8,
    },
  },
  'nvidia-tesla-t4': { attachTo: { familyPrefix: 'n1-', counts: [1, 2, 4] } },
  'nvidia-tesla-a100': {
    machines: { 'a2-highgpu-1g': 1, 'a2-highgpu-2g': 2, 'a2-highgpu-4g': 4, 'a2-highgpu-8g': 8, 'a2-megagpu-16g': 16 },
    migPartitions: ['1g.5gb', '2g.10gb', '3g.20gb', '7g.40gb'],
  },
  'nvidia-a100-80gb': {
    machines: { 'a2-ultragpu-1g': 1, 'a2-ultragpu-2g': 2, 'a2-ultragpu-4g': 4, 'a2-ultragpu-8g': 8 },
    migPartitions: ['1g.10gb', '2g.20gb', '3g.40gb', '7g.80gb'],
  },
  'nvidia-h100-80gb': {
    machines: { 'a3-highgpu-1g': 1, 'a3-highgpu-2g': 2, 'a3-highgpu-4g': 4, 'a3-highgpu-8g': 8 },
    migPartitions: ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  },
};

/** Why `machineType` cannot carry `count` × `accelerator`, or undefined when it can. */
export function machineFitProblem(accelerator: AcceleratorType, machineType: string, count: number): string | undefined {
  const facts = ACCELERATORS[accelerator];
  if (facts.attachTo) {
    if (!machineType.startsWith(facts.attachTo.familyPrefix)) {
      return `${accelerator} attaches only to ${facts.attachTo.familyPrefix}* machine types, not ${machineType}`;
    }
    if (!facts.attachTo.counts.includes(count)) {
      return `${accelerator} comes in counts of ${facts.attachTo.counts.join(', ')} per node, not ${count}`;
    }
    return undefined;
  }
  const carried = facts.machines?.[machineType];
  if (carried === undefined) {
    return `${machineType} does not carry ${accelerator}; use one of ${Object.keys(facts.machines ?? {}).join(', ')}`;
  }
  if (carried !== count) return `${machineType} carries ${carried} × ${accelerator}, not ${count}`;
  return undefined;
}

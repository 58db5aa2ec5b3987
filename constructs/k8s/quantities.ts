/** Kubernetes quantity strings from the catalog ("250m", "2", "512Mi") as cdk8s-plus values. */
import { Size } from 'cdk8s';
import { Cpu } from 'cdk8s-plus-28';

export function cpuQuantity(text: string): Cpu {
  if (text.endsWith('m')) return Cpu.millis(Number(text.slice(0, -1)));
  const cores = Number(text);
  if (!Number.isFinite(cores)) throw new Error(`"${text}" is not a CPU quantity`);
  return Number.isInteger(cores) ? Cpu.units(cores) : Cpu.millis(Math.round(cores * 1000));
}

const MEMORY_UNITS = {
  Ki: (n: number) => Size.kibibytes(n),
  Mi: (n: number) => Size.mebibytes(n),
  Gi: (n: number) => Size.gibibytes(n),
  Ti: (n: number) => Size.tebibytes(n),
} as const;

export function memoryQuantity(text: string): Size {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(text);
  if (!m) throw new Error(`"${text}" is not a memory quantity`);
  return MEMORY_UNITS[m[2] as keyof typeof MEMORY_UNITS](Number(m[1]));
}

/**
 * Google Managed Prometheus' own CRD schemas (../shared/schemas/gmp/, or GMP_CRDS_DIR), compiled
 * with ajv: each monitoring.googleapis.com object the charts emit is validated against its CRD's
 * openAPIV3Schema. Third-party data, not committed here (DESIGN.md §6): present → real checks,
 * required under CI=true, otherwise the caller skips with `reason`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

export const GMP_CRDS_DIR = process.env.GMP_CRDS_DIR ?? path.resolve(import.meta.dirname, '../../../shared/schemas/gmp');

interface Crd {
  kind?: string;
  spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: object } }[] };
}

/** Kubernetes' formats: `duration` is Go's time.ParseDuration form (30s, 1m30s), not ISO 8601. */
function addKubernetesFormats(ajv: Ajv): void {
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  ajv.addFormat('date-time', { validate: (s: string) => !Number.isNaN(Date.parse(s)) });
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
}

export interface GmpValidators {
  readonly kinds: readonly string[];
  /** Errors of `o` against its kind's CRD (v1), or a message when the kind has none. */
  errors(o: { kind: string }): string | undefined;
}

export function loadGmpCrds(): { validators?: GmpValidators; reason?: string } {
  if (!existsSync(GMP_CRDS_DIR)) {
    if (process.env.CI === 'true') throw new Error(`GMP's CRDs are required under CI=true: ${GMP_CRDS_DIR} (or set GMP_CRDS_DIR)`);
    return { reason: `${GMP_CRDS_DIR} not found (set GMP_CRDS_DIR)` };
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  addKubernetesFormats(ajv);
  const byKind = new Map<string, ValidateFunction>();
  // ../shared names them <kind>.crd.yaml; the upstream repository monitoring.googleapis.com_<kinds>.yaml.
  for (const file of readdirSync(GMP_CRDS_DIR).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(path.join(GMP_CRDS_DIR, file), 'utf8'))) {
      const crd = doc.toJS() as Crd | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const v1 = crd.spec.versions.find((v) => v.name === 'v1');
      if (v1) byKind.set(crd.spec.names.kind, ajv.compile(v1.schema.openAPIV3Schema));
    }
  }
  return {
    validators: {
      kinds: [...byKind.keys()].sort(),
      errors(o) {
        const validate = byKind.get(o.kind);
        if (!validate) return `no CRD for kind ${o.kind}`;
        return validate(o) ? undefined : ajv.errorsText(validate.errors, { separator: '\n' });
      },
    },
  };
}

/**
 * Kubernetes manifests (every multi-document YAML file of an environment's dist/) diffed by
 * object: apiVersion/Kind/namespace/name. Objects are matched by API group, kind, namespace
 * and name, so an apiVersion bump (autoscaling/v2beta2 → v2) is an update of `apiVersion`, and
 * an object moving between files is no change at all. A renamed object (metadata.name or
 * namespace) is a remove plus an add, as it is for the API server.
 */
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import type { DiffEntry } from './diff-model.ts';
import { diffValues, type PlainObject } from './attribute-diff.ts';
import { KUBERNETES_REPLACEMENT_RULES, replacementReason } from './replacement-rules.ts';
import type { PathSegment } from './value-path.ts';

const KubernetesObject = z.looseObject({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  metadata: z.looseObject({ name: z.string().min(1), namespace: z.string().optional() }),
});

export interface KubernetesObjectRef {
  /** `apps/v1/Deployment/commerce/orders-api`; cluster-scoped objects have `_cluster` as namespace. */
  readonly key: string;
  /** Group, kind, namespace, name: what stays the same across an apiVersion bump. */
  readonly identity: string;
  readonly kind: string;
  readonly object: PlainObject;
}

/** Every object of one YAML file; a malformed document is an error naming the file and document. */
export function parseKubernetesFile(text: string, file: string): KubernetesObjectRef[] {
  const out: KubernetesObjectRef[] = [];
  for (const [i, doc] of parseAllDocuments(text).entries()) {
    if (doc.errors.length > 0) throw new Error(`${file}: document ${i + 1}: ${doc.errors[0]?.message ?? 'invalid YAML'}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    const parsed = KubernetesObject.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${file}: document ${i + 1} is not a Kubernetes object: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`);
    }
    const o = parsed.data;
    const ns = o.metadata.namespace ?? '_cluster';
    const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : 'core';
    out.push({
      key: `${o.apiVersion}/${o.kind}/${ns}/${o.metadata.name}`,
      identity: `${group}/${o.kind}/${ns}/${o.metadata.name}`,
      kind: o.kind,
      object: o,
    });
  }
  return out;
}

/** Indexes objects by identity; a duplicate (the same object twice) gets a `#2` suffix rather than hiding the first. */
function byIdentity(objects: readonly KubernetesObjectRef[]): Map<string, KubernetesObjectRef> {
  const map = new Map<string, KubernetesObjectRef>();
  for (const o of objects) {
    let id = o.identity;
    let key = o.key;
    for (let n = 2; map.has(id); n++) {
      id = `${o.identity}#${n}`;
      key = `${o.key}#${n}`;
    }
    map.set(id, { ...o, identity: id, key });
  }
  return map;
}

const secretData = (kind: string) => (path: readonly PathSegment[]): boolean =>
  kind === 'Secret' && path.length > 1 && (path[0] === 'data' || path[0] === 'stringData');

function removalReason(kind: string): string {
  return kind === 'Namespace'
    ? 'Namespace removed — deleting it deletes every object in it'
    : 'removed — deleted by the k8s stack or a pruning GitOps sync (a plain kubectl apply leaves it running)';
}

export function diffKubernetes(before: readonly KubernetesObjectRef[], after: readonly KubernetesObjectRef[]): DiffEntry[] {
  const b = byIdentity(before);
  const a = byIdentity(after);
  const entries: DiffEntry[] = [];
  for (const id of [...new Set([...b.keys(), ...a.keys()])]) {
    const was = b.get(id);
    const is = a.get(id);
    const kind = (is ?? was)?.kind ?? '';
    const attributes = diffValues(was?.object, is?.object, { isSecret: secretData(kind) });
    if (was && !is) {
      entries.push({ key: was.key, change: 'remove', attributes, risk: 'destroy', reason: removalReason(kind) });
    } else if (!was && is) {
      entries.push({ key: is.key, change: 'add', attributes, risk: 'normal' });
    } else if (was && is && attributes.length > 0) {
      const reason = replacementReason(KUBERNETES_REPLACEMENT_RULES[kind], attributes);
      entries.push({ key: is.key, change: 'update', attributes, risk: reason ? 'replace' : 'normal', ...(reason ? { reason } : {}) });
    }
  }
  return entries;
}

/**
 * Masking: no value whose key looks secret reaches any output (Markdown, text or JSON). A
 * key is secret-looking when it names a password, secret, private key, token, API key or
 * credential; everything below such a key is masked too (`keyauth_credentials[0].key`). Keys
 * that only *refer to* a secret (`secretKeyRef`, `secretName`) or configure one
 * (`automountServiceAccountToken`) are not. Free text (nginx.conf, embedded configs) gets the
 * same treatment line by line: `password = hunter2` → `password = (sensitive)`.
 */
import type { PathSegment } from './value-path.ts';

export const MASK = '(sensitive)';

const SECRET_WORD = /pass(?:word|wd|phrase)|secret|private[_-]?key|token|api[_-]?key|apikey|credential|client[_-]?key|signing[_-]?key|hmac/i;

/** Keys that refer to or configure a secret without holding one. */
const NOT_SECRET = new Set([
  'automountServiceAccountToken',
  'secretKeyRef',
  'secretRef',
  'secretName',
  'secretProviderClass',
  'imagePullSecrets',
]);

export function isSecretKey(key: string): boolean {
  return !NOT_SECRET.has(key) && SECRET_WORD.test(key);
}

/** A Kubernetes volume source `secret: { secretName }` (in `volumes[…]` or a projected volume's `sources[…]`) names a Secret. */
function isSecretVolumeSource(path: readonly PathSegment[], i: number): boolean {
  const owner = path[i - 2];
  return path[i] === 'secret' && (owner === 'volumes' || owner === 'sources');
}

/** Whether any key on the path (or a `[name=…]` element's name, e.g. an env var `DB_PASSWORD`) looks secret. */
export function isSecretPath(path: readonly PathSegment[]): boolean {
  return path.some((s, i) =>
    typeof s === 'string' ? isSecretKey(s) && !isSecretVolumeSource(path, i) : typeof s === 'object' ? isSecretKey(s.value) : false,
  );
}

/** `<secret-looking key><: or = or spaces><value>`; values that are references (`$var`, `${…}`) are kept. */
const TEXT_SECRET = new RegExp(
  String.raw`([\w.-]*(?:${SECRET_WORD.source})[\w.-]*)(["']?[ \t]*[:=][ \t]*|[ \t]+)("[^"\n]*"|'[^'\n]*'|[^\s;,"']+)`,
  'gi',
);

export function maskSecretsInText(text: string): string {
  return text.replace(TEXT_SECRET, (whole, key: string, sep: string, value: string) => {
    if (!isSecretKey(key) || value.startsWith('$') || value === MASK) return whole;
    return `${key}${sep}${MASK}`;
  });
}

/** Masks a whole value (an object below a secret key, or a secret leaf). */
export function maskValue(value: unknown): unknown {
  return value === undefined ? undefined : MASK;
}

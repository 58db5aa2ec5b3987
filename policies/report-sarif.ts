/**
 * Policy results as SARIF 2.1.0 for GitHub code scanning: every rule with its help (rationale,
 * remediation, equivalents); every result located at the synthesized file (and line, when
 * found) with the catalog line that produced it as a related location; waived results carry an
 * external suppression; fingerprints are stable across runs (rule, environment, target).
 */
import { createHash } from 'node:crypto';
import type { Rule, Severity } from './engine.ts';
import type { SourceLine } from './catalog-sources.ts';
import type { PolicyRun } from './policy-run.ts';
import { helpMarkdown, helpText } from './rule-docs.ts';
import type { Result } from './waivers.ts';

export interface SarifContext {
  /**
   * Where a result is: its file as a repository-relative URI (targets name synthesized files
   * relative to the output root) and the line of its target, when found.
   */
  readonly locate?: (result: Result) => { readonly uri: string; readonly line?: number | undefined };
  /** The catalog line that produced the result. */
  readonly catalogLine?: (result: Result) => SourceLine | undefined;
  /** The version of this tool (package.json). */
  readonly toolVersion?: string;
}

export const SARIF_TOOL_NAME = 'platform-policies';
/** The key of our fingerprint in `partialFingerprints` (versioned: change it if the recipe changes). */
export const FINGERPRINT_KEY = 'platformPolicyTarget/v1';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
/** GitHub ranks security alerts by this (≥ 7 high, 4–6.9 medium, < 4 low). */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '7.5', warning: '5.0', info: '2.0' };

/** Tags by id prefix: what GitHub filters alerts on. */
function tags(rule: Rule): string[] {
  const area = /^[A-Z]+/.exec(rule.id)?.[0] ?? '';
  const byArea: Record<string, string[]> = {
    GKE: ['security', 'gke', 'terraform'],
    IAM: ['security', 'iam', 'terraform'],
    PUBSUB: ['reliability', 'pubsub', 'terraform'],
    K8S: ['security', 'kubernetes'],
    EDGE: ['security', 'edge'],
    LB: ['security', 'load-balancing'],
    WAIVER: ['maintainability', 'waiver'],
  };
  return byArea[area] ?? ['policy'];
}

/** `NodesArePrivate…`-style name from the description (SARIF wants a PascalCase identifier). */
function ruleName(rule: Rule): string {
  const words = rule.description
    .replace(/\([^)]*\)/g, ' ')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => (w.toUpperCase() === w && w.length > 1 ? w[0] + w.slice(1).toLowerCase() : w[0]?.toUpperCase() + w.slice(1)));
  return words.join('').slice(0, 80);
}

function sarifRule(rule: Rule): object {
  const ruleTags = tags(rule);
  return {
    id: rule.id,
    name: ruleName(rule),
    shortDescription: { text: rule.description },
    fullDescription: { text: rule.rationale },
    help: { text: helpText(rule), markdown: helpMarkdown(rule) },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ruleTags,
      precision: 'very-high',
      ...(ruleTags.includes('security') ? { 'security-severity': SECURITY_SEVERITY[rule.severity] } : {}),
    },
  };
}

function fingerprint(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

export function renderSarif(run: PolicyRun, context: SarifContext = {}): string {
  const index = new Map(run.rules.map((r, i) => [r.id, i]));
  const locate: NonNullable<SarifContext['locate']> = context.locate ?? ((r) => ({ uri: r.target.file.split('\\').join('/') }));
  const ordinals = new Map<string, number>();
  const results = run.results.map((r) => {
    const key = [r.ruleId, r.target.env, r.target.address].join('\u0000');
    const ordinal = ordinals.get(key) ?? 0;
    ordinals.set(key, ordinal + 1);
    const { uri, line } = locate(r);
    const source = context.catalogLine?.(r);
    return {
      ruleId: r.ruleId,
      ...(index.has(r.ruleId) ? { ruleIndex: index.get(r.ruleId) } : {}),
      level: LEVEL[r.severity],
      message: {
        text: `${r.target.env}: ${r.target.address}: ${r.message}. Fix: ${r.remediation}.${source ? ' Declared in [the catalog](1).' : ''}`,
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri },
            ...(line !== undefined ? { region: { startLine: line } } : {}),
          },
          logicalLocations: [{ fullyQualifiedName: `${r.target.env}/${r.target.address}`, kind: 'resource' }],
        },
      ],
      ...(source
        ? {
            relatedLocations: [
              {
                id: 1,
                physicalLocation: { artifactLocation: { uri: source.file }, region: { startLine: source.line } },
                message: { text: 'the catalog entry that produced this' },
              },
            ],
          }
        : {}),
      partialFingerprints: { [FINGERPRINT_KEY]: fingerprint([r.ruleId, r.target.env, r.target.address, String(ordinal)]) },
      ...(r.waiver
        ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${r.waiver.reason} (waived until ${r.waiver.expires})` }] }
        : {}),
      properties: { environment: r.target.env, target: r.target.address, ...(r.waiver ? { waivedUntil: r.waiver.expires } : {}) },
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: SARIF_TOOL_NAME,
            ...(context.toolVersion ? { version: context.toolVersion, semanticVersion: context.toolVersion } : {}),
            rules: run.rules.map(sarifRule),
          },
        },
        columnKind: 'utf16CodeUnits',
        properties: { environments: run.environments, waiversJudgedOn: run.today },
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}

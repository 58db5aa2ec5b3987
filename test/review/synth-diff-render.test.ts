import { describe, expect, it } from 'vitest';
import type { SynthDiff } from '../../review/synth-diff/diff-model.ts';
import { GITHUB_COMMENT_LIMIT, renderMarkdown } from '../../review/synth-diff/render-markdown.ts';
import { renderText } from '../../review/synth-diff/render-text.ts';

const labels = { base: 'origin/main (abc123)', head: 'working tree' };

const small: SynthDiff = {
  environments: [
    {
      env: 'dev',
      summary: { adds: 1, updates: 1, replacements: 1, destroys: 1 },
      artifacts: [
        {
          kind: 'terraform',
          file: 'cdktf.out/stacks/platform-dev/cdk.tf.json',
          entries: [
            { key: 'google_pubsub_topic.audit', change: 'remove', risk: 'destroy', reason: 'removed from the configuration — Terraform will destroy it', attributes: [{ path: 'name', before: 'audit' }] },
            {
              key: 'google_container_node_pool.general',
              change: 'update',
              risk: 'replace',
              reason: 'node_config.machine_type: GKE recreates every node of the pool to apply it',
              attributes: [{ path: 'node_config.machine_type', before: 'e2-standard-4', after: 'e2-standard-8' }],
            },
          ],
        },
        {
          kind: 'kubernetes',
          file: 'dist/dev/*.yaml',
          entries: [
            { key: 'autoscaling/v2/HorizontalPodAutoscaler/commerce/orders-api', change: 'update', risk: 'normal', attributes: [{ path: 'spec.maxReplicas', before: 3, after: 5 }] },
            {
              key: 'v1/ConfigMap/edge/nginx-conf',
              change: 'add',
              risk: 'normal',
              attributes: [{ path: 'data["nginx.conf"]', after: 'http {\n  gzip off;\n}\n' }],
            },
          ],
        },
      ],
    },
    { env: 'prod', summary: { adds: 0, updates: 0, replacements: 0, destroys: 0 }, artifacts: [] },
  ],
};

describe('synth diff: Markdown for a PR comment', () => {
  it('has a summary line per environment, destroys and replacements in a table first, then collapsible details', () => {
    const md = renderMarkdown(small, labels);
    expect(md).toContain('- **dev**: 1 destroy · 1 replacement · 1 update · 1 add');
    expect(md).toContain('- **prod**: 0 destroys · 0 replacements · 0 updates · 0 adds');
    const table = md.indexOf('### Destroys and replacements');
    const details = md.indexOf('<details>');
    expect(table).toBeGreaterThan(0);
    expect(details).toBeGreaterThan(table);
    expect(md).toContain(
      '| dev | ♻️ replace | <code>google_container_node_pool.general</code> | <code>cdktf.out/stacks/platform-dev/cdk.tf.json</code> | node_config.machine_type: GKE recreates every node of the pool to apply it |',
    );
    expect(md.indexOf('🗑️ destroy')).toBeLessThan(md.indexOf('♻️ replace'));
    expect(md).toContain('<details><summary><b>dev</b> · terraform · <code>cdktf.out/stacks/platform-dev/cdk.tf.json</code> — 1 destroy, 1 replacement</summary>');
    expect(md).toContain('| <code>node_config.machine_type</code> | <code>"e2-standard-4"</code> | <code>"e2-standard-8"</code> |');
    expect(md).toContain('| <code>spec.maxReplicas</code> | <code>3</code> | <code>5</code> |');
    // A multi-line value (an embedded config) reads as a diff, not as an escaped string.
    expect(md).toContain('````diff\n@@ 1,0 → 1,3\n+ http {\n+   gzip off;\n+ }\n````');
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
  });

  it('says so when nothing changed', () => {
    const none: SynthDiff = { environments: [{ env: 'dev', summary: { adds: 0, updates: 0, replacements: 0, destroys: 0 }, artifacts: [] }] };
    expect(renderMarkdown(none, labels)).toContain('No changes in the synthesized output.');
    expect(renderText(none, labels)).toContain('dev: no changes');
  });

  it('stays under GitHub\'s comment limit with a visible note when the diff is huge', () => {
    const entries = Array.from({ length: 4000 }, (_, i) => ({
      key: `google_pubsub_topic.topic_${i}`,
      change: 'update' as const,
      risk: i % 10 === 0 ? ('replace' as const) : ('normal' as const),
      ...(i % 10 === 0 ? { reason: 'name: forces a new resource (destroyed and recreated)' } : {}),
      attributes: [{ path: 'labels.owner', before: `team-${i}`, after: `team-${i + 1}` }],
    }));
    const huge: SynthDiff = {
      environments: [{ env: 'prod', summary: { adds: 0, updates: 3600, replacements: 400, destroys: 0 }, artifacts: [{ kind: 'terraform', file: 'x.json', entries }] }],
    };
    const md = renderMarkdown(huge, labels, { fullCommand: 'npm run diff -- --base origin/main' });
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md).toMatch(/> ⚠️ \*\*Truncated\*\* to fit a GitHub comment \(65,536 characters\): \d+ of 4000 changes shown\. Run <code>npm run diff -- --base origin\/main<\/code>/);
    expect(md).toContain('…and 350 more destroys and replacements, listed in the details below.');
    expect(md.match(/<details>/g)?.length).toBe(md.match(/<\/details>/g)?.length);
    const small = renderMarkdown(huge, labels, { maxLength: 5000 });
    expect(small.length).toBeLessThanOrEqual(5000);
    expect(small).toContain('**Truncated**');
  });
});

describe('synth diff: terminal text', () => {
  it('lists entries riskiest first with reasons and attribute changes', () => {
    const text = renderText(small, labels);
    expect(text.split('\n').slice(0, 10)).toEqual([
      'synth diff: origin/main (abc123) → working tree',
      '',
      'dev: 1 destroy, 1 replacement, 1 update, 1 add',
      '  DESTROY  google_pubsub_topic.audit  (cdktf.out/stacks/platform-dev/cdk.tf.json)',
      '           why: removed from the configuration — Terraform will destroy it',
      '  REPLACE  google_container_node_pool.general  (cdktf.out/stacks/platform-dev/cdk.tf.json)',
      '           why: node_config.machine_type: GKE recreates every node of the pool to apply it',
      '           node_config.machine_type: "e2-standard-4" → "e2-standard-8"',
      '  UPDATE   autoscaling/v2/HorizontalPodAutoscaler/commerce/orders-api  (dist/dev/*.yaml)',
      '           spec.maxReplicas: 3 → 5',
    ]);
    expect(text).toContain('             + http {');
  });
});

// Why the preStop sleep goes through addPostConversionPatch: cdk8s-plus-28's converter (Kubernetes
// 1.28 fields) drops it from an ordinary JSON patch; applied after conversion it survives.
import { describe, expect, it } from 'vitest';
import { Chart, JsonPatch, Testing } from 'cdk8s';
import { KubeDeployment } from 'cdk8s-plus-28/lib/imports/k8s.js';
import { addPostConversionPatch } from '../../../constructs/k8s/post-conversion-patch.ts';

function deployment(chart: Chart, id: string): KubeDeployment {
  return new KubeDeployment(chart, id, {
    metadata: { name: id },
    spec: { selector: { matchLabels: { app: id } }, template: { metadata: { labels: { app: id } }, spec: { containers: [{ name: 'app', image: 'x:1' }] } } },
  });
}

describe('addPostConversionPatch', () => {
  it('keeps a field the L1 converter does not know, where addJsonPatch loses it', () => {
    const chart = new Chart(Testing.app(), 'test');
    const lifecycle = { preStop: { sleep: { seconds: 10 } } };
    deployment(chart, 'plain').addJsonPatch(JsonPatch.add('/spec/template/spec/containers/0/lifecycle', lifecycle));
    const patched = deployment(chart, 'patched');
    addPostConversionPatch(patched, JsonPatch.add('/spec/template/spec/containers/0/lifecycle', lifecycle));
    addPostConversionPatch(patched, JsonPatch.add('/spec/template/spec/terminationGracePeriodSeconds', 45));
    const [plain, kept] = Testing.synth(chart) as { spec: { template: { spec: { containers: { lifecycle?: unknown }[]; terminationGracePeriodSeconds?: number } } } }[];
    expect(plain?.spec.template.spec.containers[0]?.lifecycle).toEqual({ preStop: {} });
    expect(kept?.spec.template.spec.containers[0]?.lifecycle).toEqual(lifecycle);
    expect(kept?.spec.template.spec.terminationGracePeriodSeconds).toBe(45);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArtifacts } from '../../policies/engine.ts';

describe('reading synthesized artifacts', () => {
  let root: string;
  const write = async (rel: string, text: string): Promise<void> => {
    await mkdir(join(root, rel, '..'), { recursive: true });
    await writeFile(join(root, rel), text);
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'policy-engine-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('indexes Terraform resources by address and Kubernetes objects by kind/namespace/name', async () => {
    await write('cdktf.out/stacks/platform-a/cdk.tf.json', JSON.stringify({ resource: { google_compute_network: { vpc: { name: 'x' } } } }));
    await write('dist/a/0000-x.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: ns1\n');
    const a = await readArtifacts(root, 'a');
    expect(a.terraform.resources).toEqual([{ type: 'google_compute_network', name: 'vpc', address: 'google_compute_network.vpc', values: { name: 'x' } }]);
    expect(a.kubernetes.map((k) => `${k.file} ${k.object.kind}/${k.object.metadata.name}`)).toEqual([
      'dist/a/0000-x.yaml Namespace/ns1',
      'dist/a/0000-x.yaml Service/s',
    ]);
  });

  it('reads the backend, the google provider and data sources, and takes the tier from the caller', async () => {
    await write(
      'cdktf.out/stacks/platform-t/cdk.tf.json',
      JSON.stringify({
        terraform: { backend: { gcs: { bucket: 'b', prefix: 'p' } } },
        provider: { google: [{ project: 'acme', region: 'europe-west4' }] },
        data: { google_iam_policy: { doc: { binding: [{ role: 'roles/viewer', members: ['allUsers'] }] } } },
        resource: {},
      }),
    );
    await write('dist/t/0000-x.yaml', '');
    const a = await readArtifacts(root, 't', 'production');
    expect(a.tier).toBe('production');
    expect(a.terraform.backend).toEqual({ gcs: { bucket: 'b', prefix: 'p' } });
    expect(a.terraform.googleProvider).toEqual({ project: 'acme', region: 'europe-west4' });
    expect(a.terraform.dataSources?.map((d) => d.address)).toEqual(['data.google_iam_policy.doc']);
    expect((await readArtifacts(root, 't')).tier).toBeUndefined();
  });

  it('names the file when a manifest is not a Kubernetes object', async () => {
    await write('cdktf.out/stacks/platform-b/cdk.tf.json', '{}');
    await write('dist/b/0000-bad.yaml', 'kind: Thing\n');
    await expect(readArtifacts(root, 'b')).rejects.toThrow(/^dist\/b\/0000-bad\.yaml: not a Kubernetes object/);
  });

  it('names the file when the Terraform JSON has the wrong shape', async () => {
    await write('cdktf.out/stacks/platform-c/cdk.tf.json', JSON.stringify({ resource: { google_compute_network: ['x'] } }));
    await write('dist/c/0000-x.yaml', '');
    await expect(readArtifacts(root, 'c')).rejects.toThrow(/^cdktf\.out\/stacks\/platform-c\/cdk\.tf\.json: not a Terraform JSON configuration/);
  });

  it('names the file when the Terraform JSON does not parse', async () => {
    await write('cdktf.out/stacks/platform-d/cdk.tf.json', '{"resource": ');
    await write('dist/d/0000-x.yaml', '');
    await expect(readArtifacts(root, 'd')).rejects.toThrow(/^cdktf\.out\/stacks\/platform-d\/cdk\.tf\.json: /);
  });
});

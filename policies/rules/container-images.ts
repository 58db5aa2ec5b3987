/** Images are pinned, and come from the environment's own registry (or the listed vendors). */
import { get, type EnvironmentArtifacts, type Rule } from '../engine.ts';
import { THIRD_PARTY_IMAGE_REPOSITORIES, parseImage } from '../image-sources.ts';
import { eachContainer } from '../rule-scopes.ts';

export const imagePinned: Rule = {
  id: 'K8S014',
  severity: 'error',
  description: 'Images are pinned: a digest, or a tag other than latest',
  rationale:
    'An unpinned image (no tag, or :latest) changes under a running Deployment: two pods of one ReplicaSet can run different code, and a rollback does not roll back.',
  remediation: 'reference the image by digest (@sha256:…) or by a release tag',
  equivalents: {
    checkov: ['CKV_K8S_14'],
    trivy: ['KSV013'],
    kubeScore: ['container-image-tag'],
    polaris: ['tagNotSpecified'],
    kyverno: ['disallow-latest-tag'],
  },
  check: eachContainer('containers-and-init', ({ container }) => {
    const image = String(get(container, 'image') ?? '');
    const ref = parseImage(image);
    if (ref.digest !== undefined) return undefined;
    return ref.tag !== undefined && ref.tag !== 'latest'
      ? undefined
      : { message: `image "${image}" is not pinned (${ref.tag ? 'tag latest' : 'no tag'})`, remediation: 'pin the image by digest or a release tag' };
  }),
};

/** `<location>-docker.pkg.dev/<project>/<repository>` for each Docker repository in the stack. */
export function environmentRegistries({ terraform }: EnvironmentArtifacts): string[] {
  return terraform.resources
    .filter((r) => r.type === 'google_artifact_registry_repository' && (r.values.format ?? 'DOCKER') === 'DOCKER')
    .flatMap((r) => {
      const project = r.values.project ?? terraform.googleProvider?.project;
      const parts = [r.values.location, project, r.values.repository_id];
      if (!parts.every((p) => typeof p === 'string' && p !== '' && !p.includes('${'))) return [];
      return [`${String(parts[0])}-docker.pkg.dev/${String(parts[1])}/${String(parts[2])}`];
    });
}

export const imageFromTrustedRegistry: Rule = {
  id: 'K8S015',
  severity: 'error',
  description:
    "Images come from the environment's Artifact Registry, or from a third-party repository listed in policies/image-sources.ts (nginxinc/nginx-unprivileged, kong, Google's metrics adapter)",
  rationale:
    "Images from the environment's registry went through its build and scanning, and the node service account can pull nothing else privately; an image from anywhere else is code nobody reviewed.",
  remediation: "push the image to the environment's Artifact Registry, or add its vendor repository to policies/image-sources.ts with a reason",
  equivalents: { trivy: ['KSV0125'], kyverno: ['restrict-image-registries'] },
  check: (artifacts) => {
    const registries = environmentRegistries(artifacts);
    return eachContainer('containers-and-init', ({ container }) => {
      const image = String(get(container, 'image') ?? '');
      const { repository } = parseImage(image);
      if (registries.some((r) => repository.startsWith(`${r}/`))) return undefined;
      if (THIRD_PARTY_IMAGE_REPOSITORIES.includes(repository)) return undefined;
      return {
        message: `image "${image}" is from ${repository.split('/')[0]}, not ${registries.length > 0 ? registries.join(' or ') : 'an Artifact Registry repository of this stack'}`,
        remediation: "push it to the environment's Artifact Registry, or list the vendor repository in policies/image-sources.ts",
      };
    })(artifacts);
  },
};

export const IMAGE_RULES: readonly Rule[] = [imagePinned, imageFromTrustedRegistry];

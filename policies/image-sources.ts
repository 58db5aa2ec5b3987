/**
 * Where workload images may come from: the environment's own Artifact Registry (read from the
 * synthesized `google_artifact_registry_repository`), plus this explicit list of third-party
 * repositories, each run pinned by tag or digest (K8S014). The edge proxies run their vendors'
 * images: Nginx (the unprivileged build, non-root) and Kong; the HPAs' External metrics come
 * from Google's own adapter image. Add a repository here only with a reason.
 */
export const THIRD_PARTY_IMAGE_REPOSITORIES: readonly string[] = [
  'docker.io/nginxinc/nginx-unprivileged', // the Nginx L7 edge proxy
  'docker.io/library/kong', // Kong OSS, DB-less (the official image "kong")
  'gcr.io/gke-release/custom-metrics-stackdriver-adapter', // Google's Custom Metrics Stackdriver Adapter, as GKE releases it
  'quay.io/prometheus/alertmanager', // the Prometheus project's Alertmanager (SLO alert routing, namespace monitoring)
  'docker.io/otel/opentelemetry-collector-contrib', // the OpenTelemetry Collector, contrib build (its googlecloud exporter writes Cloud Trace), namespace telemetry
];

export interface ImageReference {
  /** Registry host and repository path, normalised: `docker.io/library/kong`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/**
 * Splits an image reference as the container runtime reads it: `kong:3.9` is
 * `docker.io/library/kong` tag 3.9; a first path segment with a dot, colon or `localhost` is a
 * registry host.
 */
export function parseImage(image: string): ImageReference {
  const [nameAndTag = '', digest] = image.split('@');
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  const name = colon >= 0 ? nameAndTag.slice(0, colon) : nameAndTag;
  const tag = colon >= 0 ? nameAndTag.slice(colon + 1) : undefined;
  const segments = name.split('/');
  const first = segments[0] ?? '';
  const hasRegistry = segments.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const repository = hasRegistry ? name : segments.length === 1 ? `docker.io/library/${name}` : `docker.io/${name}`;
  return { repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

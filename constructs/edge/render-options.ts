/**
 * What a renderer may change about where the edge runs, without changing what it does: upstream
 * addresses, listen ports, file paths — and a time scale, so tests run the real configs with
 * timeouts in seconds instead of minutes (every timeout and every margin scales alike, so the
 * chain's order is kept). The defaults are the cluster's.
 */
export interface EdgeRenderOptions {
  /** Multiplies every timeout. Default 1. */
  readonly timeScale?: number;
  readonly nginx?: {
    /** `listen` addresses (`8080`, `127.0.0.1:18080`). */
    readonly listenHttp?: string;
    readonly listenGrpcTls?: string;
    readonly kongHttp?: string;
    readonly kongGrpc?: string;
    readonly gatewayHttp?: string;
    readonly gatewayGrpc?: string;
    readonly certificate?: string;
    readonly certificateKey?: string;
    readonly pidFile?: string;
    /** Directory for nginx's temp files (a writable emptyDir under a read-only root FS). */
    readonly tempDir?: string;
    readonly accessLog?: string;
    readonly errorLog?: string;
  };
  readonly gateway?: {
    /** Upstream URL per route name, instead of the in-cluster Service URL. */
    readonly upstreams?: Readonly<Record<string, string>>;
    /** Directory of the mounted API-key digest files. */
    readonly apiKeysDir?: string;
    /** JWKS URL replacements (catalog URL → where it is served), e.g. a local key server in tests. */
    readonly jwksUris?: Readonly<Record<string, string>>;
  };
}

/** A duration in nginx syntax: whole seconds as `Ns`, otherwise `Nms`. */
export function nginxDuration(seconds: number, scale = 1): string {
  const ms = Math.max(1, Math.round(seconds * 1000 * scale));
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A duration in milliseconds (Kong, the gateway). */
export function millis(seconds: number, scale = 1): number {
  return Math.max(1, Math.round(seconds * 1000 * scale));
}

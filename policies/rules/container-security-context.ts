/**
 * Container security context: who a container runs as and what it may do to its node. Values set
 * on the container override the pod's (`runAsNonRoot`, `runAsUser`, `seccompProfile`); the rest
 * exist on containers only.
 */
import { get, type Rule } from '../engine.ts';
import { eachContainer, type Problem } from '../rule-scopes.ts';

/** The container's value, else the pod's. */
function effective(pod: unknown, container: unknown, key: string): unknown {
  return get(container, 'securityContext', key) ?? get(pod, 'securityContext', key);
}

export const runAsNonRoot: Rule = {
  id: 'K8S005',
  severity: 'error',
  description: 'Containers run as a non-root user (runAsNonRoot, and no runAsUser 0)',
  rationale:
    'Root in a container is root on the node the moment a kernel or runtime bug lets it out, and it can write anywhere the image did not lock down.',
  remediation: 'set securityContext.runAsNonRoot: true and a non-zero runAsUser (the images run as uid 65532)',
  equivalents: {
    checkov: ['CKV_K8S_23'],
    trivy: ['KSV012'],
    polaris: ['runAsRootAllowed'],
    kyverno: ['require-run-as-nonroot'],
  },
  check: eachContainer('containers-and-init', ({ pod, container }) => {
    if (effective(pod, container, 'runAsUser') === 0) {
      return { message: 'runs as uid 0 (runAsUser: 0)', remediation: 'set runAsUser to a non-zero uid' };
    }
    return effective(pod, container, 'runAsNonRoot') === true
      ? undefined
      : { message: 'may run as root', remediation: 'set securityContext.runAsNonRoot: true and a non-zero runAsUser' };
  }),
};

export const readOnlyRootFilesystem: Rule = {
  id: 'K8S006',
  severity: 'error',
  description: 'Containers have a read-only root filesystem',
  rationale:
    'A writable root filesystem lets an intruder drop tools and alter binaries that survive until the pod restarts; scratch space belongs in an emptyDir.',
  remediation: 'set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes',
  equivalents: {
    checkov: ['CKV_K8S_22'],
    trivy: ['KSV014'],
    kubeScore: ['container-security-context-readonlyrootfilesystem'],
    polaris: ['notReadOnlyRootFilesystem'],
    kyverno: ['require-ro-rootfs'],
  },
  check: eachContainer('containers-and-init', ({ container }) =>
    get(container, 'securityContext', 'readOnlyRootFilesystem') === true
      ? undefined
      : { message: 'root filesystem is writable', remediation: 'set securityContext.readOnlyRootFilesystem: true; mount emptyDir for scratch' },
  ),
};

export const noPrivilegeEscalation: Rule = {
  id: 'K8S007',
  severity: 'error',
  description: 'Containers cannot gain privileges (allowPrivilegeEscalation: false)',
  rationale:
    'allowPrivilegeEscalation defaults to true: a setuid binary in the image, or an exploit, can then raise the process above the user it started as.',
  remediation: 'set securityContext.allowPrivilegeEscalation: false',
  equivalents: {
    checkov: ['CKV_K8S_20'],
    trivy: ['KSV001'],
    polaris: ['privilegeEscalationAllowed'],
    kyverno: ['disallow-privilege-escalation'],
  },
  check: eachContainer('containers-and-init', ({ container }) =>
    get(container, 'securityContext', 'allowPrivilegeEscalation') === false
      ? undefined
      : { message: 'privilege escalation is allowed', remediation: 'set securityContext.allowPrivilegeEscalation: false' },
  ),
};

export const notPrivileged: Rule = {
  id: 'K8S008',
  severity: 'error',
  description: 'No container is privileged',
  rationale: 'A privileged container has every capability and every device of the node: it is the node.',
  remediation: 'remove securityContext.privileged (or set it to false); add only the capability the process needs',
  equivalents: {
    checkov: ['CKV_K8S_16'],
    trivy: ['KSV017'],
    kubeScore: ['container-security-context-privileged'],
    polaris: ['runAsPrivileged'],
    kyverno: ['disallow-privileged-containers'],
  },
  check: eachContainer('containers-and-init', ({ container }) =>
    get(container, 'securityContext', 'privileged') === true
      ? { message: 'runs privileged', remediation: 'set securityContext.privileged: false' }
      : undefined,
  ),
};

/** The one capability a non-root process may need back: binding ports below 1024. */
const ALLOWED_ADDED_CAPABILITIES = ['NET_BIND_SERVICE'];

export const capabilitiesDropped: Rule = {
  id: 'K8S009',
  severity: 'error',
  description: 'Containers drop ALL capabilities (and add back at most NET_BIND_SERVICE)',
  rationale:
    'The runtime\'s default capability set includes NET_RAW (packet spoofing) and others no service needs; dropping ALL removes them, and adding one back is then a visible decision.',
  remediation: 'set securityContext.capabilities.drop: ["ALL"]; add only NET_BIND_SERVICE if the process binds a port below 1024',
  equivalents: {
    checkov: ['CKV_K8S_37'],
    trivy: ['KSV003'],
    polaris: ['insecureCapabilities'],
    kyverno: ['drop-all-capabilities', 'disallow-capabilities-strict'],
  },
  check: eachContainer('containers-and-init', ({ container }) => {
    const drop = get(container, 'securityContext', 'capabilities', 'drop');
    const add = get(container, 'securityContext', 'capabilities', 'add');
    const problems: Problem[] = [];
    if (!(Array.isArray(drop) && drop.some((c) => String(c).toUpperCase() === 'ALL'))) {
      problems.push({ message: 'does not drop ALL capabilities', remediation: 'set securityContext.capabilities.drop: ["ALL"]' });
    }
    const extra = (Array.isArray(add) ? add.map(String) : []).filter((c) => !ALLOWED_ADDED_CAPABILITIES.includes(c.toUpperCase().replace(/^CAP_/, '')));
    if (extra.length > 0) {
      problems.push({ message: `adds capabilities ${extra.join(', ')}`, remediation: 'remove them from securityContext.capabilities.add' });
    }
    return problems;
  }),
};

/** Localhost profiles are custom and at least as strict by intent; Unconfined or nothing is not. */
const CONFINING_SECCOMP = ['RuntimeDefault', 'Localhost'];

export const seccompRuntimeDefault: Rule = {
  id: 'K8S010',
  severity: 'error',
  description: 'Containers run under the RuntimeDefault (or a Localhost) seccomp profile',
  rationale:
    'Without a seccomp profile a container may call every system call the kernel offers, including the rarely used ones most container escapes go through.',
  remediation: 'set securityContext.seccompProfile.type: RuntimeDefault on the container or the pod',
  equivalents: {
    checkov: ['CKV_K8S_31'],
    trivy: ['KSV030'],
    kubeScore: ['container-seccomp-profile'],
    kyverno: ['restrict-seccomp-strict'],
  },
  check: eachContainer('containers-and-init', ({ pod, container }) => {
    const type = get(effective(pod, container, 'seccompProfile'), 'type');
    return typeof type === 'string' && CONFINING_SECCOMP.includes(type)
      ? undefined
      : {
          message: `seccomp profile is ${typeof type === 'string' ? type : 'unset'}`,
          remediation: 'set securityContext.seccompProfile.type: RuntimeDefault',
        };
  }),
};

export const SECURITY_CONTEXT_RULES: readonly Rule[] = [
  runAsNonRoot,
  readOnlyRootFilesystem,
  noPrivilegeEscalation,
  notPrivileged,
  capabilitiesDropped,
  seccompRuntimeDefault,
];

/**
 * The project's Binary Authorization policy (GKE evaluates it with evaluation mode
 * PROJECT_SINGLETON_POLICY_ENFORCE): every image is denied unless it comes from the environment's
 * own Artifact Registry or is one of the pinned vendor images the plan names. Google's system
 * images are exempt through the global policy evaluation (Google keeps that list current).
 * Production enforces; lower tiers run the same policy in dry run, so what production would
 * block shows up in their audit logs first.
 */
import { Construct } from 'constructs';
import { BinaryAuthorizationPolicy } from '@cdktf/provider-google/lib/binary-authorization-policy/index.js';

export interface BinaryAuthorizationProps {
  readonly projectId: string;
  /** `registry/path/*` or exact `registry/path/image:tag` names (ClusterAddonsPlan.admittedImages). */
  readonly admittedImages: readonly string[];
  readonly enforce: boolean;
}

export class BinaryAuthorization extends Construct {
  readonly policy: BinaryAuthorizationPolicy;

  constructor(scope: Construct, id: string, props: BinaryAuthorizationProps) {
    super(scope, id);
    this.policy = new BinaryAuthorizationPolicy(this, 'policy', {
      project: props.projectId,
      globalPolicyEvaluationMode: 'ENABLE',
      admissionWhitelistPatterns: props.admittedImages.map((namePattern) => ({ namePattern })),
      defaultAdmissionRule: {
        evaluationMode: 'ALWAYS_DENY',
        enforcementMode: props.enforce ? 'ENFORCED_BLOCK_AND_AUDIT_LOG' : 'DRYRUN_AUDIT_LOG_ONLY',
      },
    });
  }
}

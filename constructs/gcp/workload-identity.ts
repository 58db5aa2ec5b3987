/**
 * One Google service account per workload, impersonated by its Kubernetes ServiceAccount
 * through Workload Identity. Other constructs grant roles to it via `member`.
 */
import { Construct } from 'constructs';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account/index.js';
import { ServiceAccountIamMember } from '@cdktf/provider-google/lib/service-account-iam-member/index.js';

export interface WorkloadIdentityProps {
  readonly accountId: string;
  readonly namespace: string;
  readonly kubernetesServiceAccount: string;
  /** `<project>.svc.id.goog`, from the cluster. */
  readonly workloadPool: string;
}

export class WorkloadIdentity extends Construct {
  readonly serviceAccount: ServiceAccount;
  /** `serviceAccount:<email>`, for IAM bindings. */
  readonly member: string;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    this.serviceAccount = new ServiceAccount(this, 'sa', {
      accountId: props.accountId,
      displayName: `workload ${props.namespace}/${props.kubernetesServiceAccount}`,
    });
    this.member = this.serviceAccount.member;
    new ServiceAccountIamMember(this, 'wi-binding', {
      serviceAccountId: this.serviceAccount.name,
      role: 'roles/iam.workloadIdentityUser',
      member: `serviceAccount:${props.workloadPool}[${props.namespace}/${props.kubernetesServiceAccount}]`,
    });
  }
}

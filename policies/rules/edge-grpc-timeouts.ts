/**
 * EDGE003 — gRPC locations time out with the grpc module's directives: `grpc_read_timeout`,
 * `grpc_send_timeout` and `client_body_timeout` set, and no `proxy_*_timeout`, which does
 * nothing in a `grpc_pass` location.
 */
import type { Finding, Rule } from '../engine.ts';
import { edgeTarget, nginxLocationAddress } from './edge-addresses.ts';
import { catalogOf, edgeView } from './edge-configs.ts';

type RuleFinding = Omit<Finding, 'ruleId' | 'severity'>;

const IDLE = ['proxy_read_timeout', 'proxy_send_timeout', 'proxy_connect_timeout'] as const;
const REQUIRED = ['grpc_read_timeout', 'grpc_send_timeout', 'client_body_timeout'] as const;

export const edgeGrpcTimeouts: Rule = {
  id: 'EDGE003',
  severity: 'error',
  description: 'grpc_pass locations set grpc_read_timeout, grpc_send_timeout and client_body_timeout, and no proxy_*_timeout',
  rationale:
    'In a grpc_pass location only the grpc module\'s timeouts apply: a proxy_read_timeout there looks like a stream allowance and does nothing, so a silent server stream dies at the 60 s default of grpc_read_timeout (verified with nginx 1.22). A client stream also needs client_body_timeout, or nginx cuts a client that pauses for 60 s.',
  remediation: 'in each grpc_pass location replace proxy_*_timeout with grpc_read_timeout and grpc_send_timeout, and set client_body_timeout, all from the route\'s timeout chain',
  equivalents: {},
  catalogKeys: ['services'],
  check: (artifacts) => {
    const view = edgeView(artifacts.edge);
    const findings: RuleFinding[] = [];
    for (const location of view.nginx?.locations ?? []) {
      const grpc = location.scope.own('grpc_pass')[0];
      if (!grpc) continue;
      const head = `${location.label} (line ${location.directive.line}, grpc_pass ${grpc.args.join(' ')})`;
      const add = (message: string, remediation: string): void => {
        findings.push({
          target: edgeTarget(artifacts, 'nginx', nginxLocationAddress(location)),
          message,
          remediation,
          ...(location.route ? { catalog: catalogOf(view, location.route) } : {}),
        });
      };
      for (const name of IDLE) {
        for (const d of location.scope.own(name)) {
          const grpcName = name.replace('proxy_', 'grpc_');
          add(`${head}: ${name} ${d.args.join(' ')} (line ${d.line}) does nothing in a grpc_pass location`, `replace it with ${grpcName}`);
        }
      }
      for (const name of REQUIRED) {
        if (location.scope.directive(name)) continue;
        add(`${head}: ${name} is not set, so nginx's default 60s cuts a stream silent for a minute`, `set ${name} to the route's stream timeout from its chain`);
      }
    }
    return findings;
  },
};

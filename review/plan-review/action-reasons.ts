/**
 * Terraform's `action_reason` codes in words (from Terraform's JSON output format docs).
 * An unknown code is shown as written: newer Terraform versions add reasons.
 */
const REASONS: Readonly<Record<string, string>> = {
  replace_because_tainted: 'the object is tainted',
  replace_because_cannot_update: 'a changed attribute cannot be updated in place',
  replace_by_request: 'replacement requested (-replace)',
  replace_by_triggers: 'replace_triggered_by fired',
  delete_because_no_resource_config: 'no longer in the configuration',
  delete_because_no_module: 'its module is no longer in the configuration',
  delete_because_wrong_repetition: 'count/for_each no longer matches this instance key',
  delete_because_count_index: 'its count index is beyond the new count',
  delete_because_each_key: 'its for_each key is gone',
  delete_because_no_move_target: 'a moved block points at a target that does not exist',
  read_because_config_unknown: 'its configuration depends on values known only after apply',
  read_because_dependency_pending: 'a dependency has changes pending',
  read_because_check_nested: 'a check block reads it',
};

export function describeActionReason(code: string): string | undefined {
  return REASONS[code];
}

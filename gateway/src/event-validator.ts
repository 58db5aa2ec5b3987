// The contract check of an `events` route, by schema type (the route table's `schema`).
import type { GatewayRoute } from './route-table.ts';
import { compileAvroValidator, type BodyValidator } from './event-avro-validator.ts';

export type { BodyValidator, ContractViolation } from './event-avro-validator.ts';

export function compileEventValidator(schema: NonNullable<GatewayRoute['schema']>): BodyValidator {
  switch (schema.type) {
    case 'avro':
      return compileAvroValidator(schema.definition);
  }
}

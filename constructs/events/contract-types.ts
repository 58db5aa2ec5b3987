/**
 * TypeScript types for a topic contract, as the topic's encoding puts events on the wire, so a
 * TypeScript producer or consumer compiles against what Pub/Sub and the gateway enforce:
 * - Avro JSON encoding: records are interfaces with every field required (Pub/Sub fills in no
 *   defaults), unions are `null | { "<branch>": value }`, long is number, bytes/fixed are strings;
 * - proto3 JSON mapping: fields optional under their JSON (lowerCamelCase) names, 64-bit
 *   integers as strings, enums as their names, bytes as base64 strings.
 * Also the contract's fields as rows for `npm run events`. Pure: definition text in, text out.
 */
import avro from 'avsc';
import protobuf from 'protobufjs';
import { topLevelMessages } from '../../environments/schema/topics.ts';

export interface ContractField {
  /** `items[].qty` */
  readonly path: string;
  /** `int`, `enum OrderStatus (PLACED | PAID)`, `null | string` */
  readonly type: string;
  readonly required: boolean;
}

export interface GeneratedTypes {
  /** The top-level type's name (the event type): `OrderEvent`. */
  readonly root: string;
  readonly source: string;
  readonly fields: readonly ContractField[];
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (name: string): string => (IDENT.test(name) ? name : JSON.stringify(name));
const typeName = (fullName: string): string => {
  const last = fullName.split('.').pop() ?? fullName;
  return last.replace(/[^A-Za-z0-9_$]/g, '_');
};

// ---------------------------------------------------------------------------------------------
// Avro

function avroTs(type: avro.Type, decls: Map<string, string>): string {
  const underlying = (type as Partial<avro.types.LogicalType>).underlyingType;
  switch (type.typeName) {
    case 'null':
      return 'null';
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'long':
    case 'float':
    case 'double':
      return 'number';
    case 'string':
    case 'bytes':
    case 'fixed':
      return 'string';
    case 'enum': {
      const name = typeName(type.name as string);
      if (!decls.has(name)) decls.set(name, `export type ${name} = ${(type as avro.types.EnumType).symbols.map((s) => JSON.stringify(s)).join(' | ')};`);
      return name;
    }
    case 'array':
      return `Array<${avroTs((type as avro.types.ArrayType).itemsType, decls)}>`;
    case 'map':
      return `Record<string, ${avroTs((type as avro.types.MapType).valuesType as avro.Type, decls)}>`;
    case 'record':
    case 'error': {
      const name = typeName(type.name as string);
      if (decls.has(name)) return name;
      decls.set(name, ''); // reserve: recursive records refer to themselves
      const fields = (type as avro.types.RecordType).fields.map((f) => `  ${key(f.name)}: ${avroTs(f.type, decls)};`);
      const doc = (type as { doc?: string }).doc;
      decls.set(name, `${doc ? `/** ${doc.replace(/\*\//g, '* /')} */\n` : ''}export interface ${name} {\n${fields.join('\n')}\n}`);
      return name;
    }
    case 'union:wrapped':
    case 'union:unwrapped':
      return (type as avro.types.WrappedUnionType).types
        .map((b) => (b.typeName === 'null' ? 'null' : `{ ${key(b.branchName as string)}: ${avroTs(b, decls)} }`))
        .join(' | ');
    default:
      if (underlying) return avroTs(underlying, decls);
      throw new Error(`unsupported Avro type ${type.typeName}`);
  }
}

function avroFieldType(type: avro.Type): string {
  const underlying = (type as Partial<avro.types.LogicalType>).underlyingType;
  if (underlying && !type.typeName.startsWith('union')) return `${underlying.typeName} (${type.typeName.replace('logical:', '')})`;
  switch (type.typeName) {
    case 'enum':
      return `enum ${type.name} (${(type as avro.types.EnumType).symbols.join(' | ')})`;
    case 'fixed':
      return `fixed ${(type as avro.types.FixedType).size}`;
    case 'array':
      return `array of ${avroFieldType((type as avro.types.ArrayType).itemsType)}`;
    case 'map':
      return `map of ${avroFieldType((type as avro.types.MapType).valuesType as avro.Type)}`;
    case 'record':
    case 'error':
      return `record ${type.name}`;
    case 'union:wrapped':
    case 'union:unwrapped':
      return (type as avro.types.WrappedUnionType).types.map((b) => (b.typeName === 'record' ? (b.name as string) : b.typeName)).join(' | ');
    default:
      return type.typeName;
  }
}

function avroFields(type: avro.Type, prefix: string, out: ContractField[], seen: Set<string>): void {
  if (type.typeName !== 'record' || seen.has(type.name as string)) return;
  const inner = new Set(seen).add(type.name as string);
  for (const f of (type as avro.types.RecordType).fields) {
    const path = `${prefix}${f.name}`;
    out.push({ path, type: avroFieldType(f.type), required: true });
    let t: avro.Type = f.type;
    while (t.typeName === 'array') t = (t as avro.types.ArrayType).itemsType;
    avroFields(t, `${path}${f.type.typeName === 'array' ? '[]' : ''}.`, out, inner);
  }
}

export function avroTypes(definition: string): GeneratedTypes {
  const type = avro.Type.forSchema(JSON.parse(definition) as avro.Schema, { wrapUnions: true });
  const decls = new Map<string, string>();
  const root = avroTs(type, decls);
  const fields: ContractField[] = [];
  avroFields(type, '', fields, new Set());
  return { root, source: [...decls.values()].join('\n\n'), fields };
}

// ---------------------------------------------------------------------------------------------
// Protobuf (proto3 JSON mapping)

const PROTO_SCALAR: Readonly<Record<string, string>> = {
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  int64: 'string',
  uint64: 'string',
  sint64: 'string',
  fixed64: 'string',
  sfixed64: 'string',
  bool: 'boolean',
  string: 'string',
  bytes: 'string',
};

function protoTs(type: protobuf.Type, decls: Map<string, string>): string {
  const name = typeName(type.fullName.replace(/^\./, '').replace(/\./g, '_'));
  if (decls.has(name)) return name;
  decls.set(name, '');
  const fields = type.fieldsArray.map((f) => {
    f.resolve();
    let t: string;
    if (f.resolvedType instanceof protobuf.Enum) {
      const e = f.resolvedType;
      const enumName = typeName(e.fullName.replace(/^\./, '').replace(/\./g, '_'));
      if (!decls.has(enumName)) decls.set(enumName, `export type ${enumName} = ${Object.keys(e.values).map((v) => JSON.stringify(v)).join(' | ')};`);
      t = enumName;
    } else if (f.resolvedType instanceof protobuf.Type) {
      t = protoTs(f.resolvedType, decls);
    } else {
      t = PROTO_SCALAR[f.type] ?? 'unknown';
    }
    if (f instanceof protobuf.MapField) t = `Record<string, ${t}>`;
    else if (f.repeated) t = `Array<${t}>`;
    return `  ${key(jsonName(f.name))}?: ${t};`;
  });
  decls.set(name, `export interface ${name} {\n${fields.join('\n')}\n}`);
  return name;
}

/** proto3 JSON names: lowerCamelCase of the field name. */
function jsonName(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function protoFields(type: protobuf.Type, prefix: string, out: ContractField[], seen: Set<string>): void {
  if (seen.has(type.fullName)) return;
  const inner = new Set(seen).add(type.fullName);
  for (const f of type.fieldsArray) {
    f.resolve();
    const resolved = f.resolvedType;
    const base = resolved instanceof protobuf.Enum ? `enum ${resolved.name} (${Object.keys(resolved.values).join(' | ')})` : resolved ? `message ${resolved.name}` : f.type;
    const path = `${prefix}${jsonName(f.name)}`;
    out.push({ path, type: `${f.repeated ? 'repeated ' : ''}${base}${f.partOf ? ` (oneof ${f.partOf.name})` : ''}`, required: false });
    if (resolved instanceof protobuf.Type) protoFields(resolved, `${path}${f.repeated ? '[]' : ''}.`, out, inner);
  }
}

export function protobufTypes(definition: string): GeneratedTypes {
  const parsed = protobuf.parse(definition, { keepCase: true });
  const [message] = topLevelMessages(parsed.root);
  if (!message) throw new Error('no top-level message');
  parsed.root.resolveAll();
  const decls = new Map<string, string>();
  const root = protoTs(message, decls);
  const fields: ContractField[] = [];
  protoFields(message, '', fields, new Set());
  return { root, source: [...decls.values()].join('\n\n'), fields };
}

/** The whole generated module for one topic's contract. */
export function contractModule(topic: string, contract: { type: 'avro' | 'protobuf'; encoding: 'json' | 'binary'; file: string; definition: string }): { text: string; types: GeneratedTypes } {
  const types = contract.type === 'avro' ? avroTypes(contract.definition) : protobufTypes(contract.definition);
  const wire =
    contract.encoding === 'json'
      ? contract.type === 'avro'
        ? 'Avro JSON encoding: every field present, unions wrapped as { "<branch>": value }'
        : 'proto3 JSON mapping'
      : `binary ${contract.type} (these types are the decoded message; encode with an ${contract.type} library)`;
  const header = [
    `// Generated by \`npm run events\` from ${contract.file}: the contract of topic "${topic}". Do not edit.`,
    `// Wire format: ${wire}.`,
    '',
  ].join('\n');
  const footer = `\n\n/** The event type of topic "${topic}". */\nexport type Event = ${types.root};\nexport const TOPIC = ${JSON.stringify(topic)};\n`;
  return { text: `${header}${types.source}${footer}`, types };
}

// An Avro contract compiled into one closure per schema node, once per route-table load: it
// checks a JSON body as Pub/Sub's Avro JSON encoding reads it (unions wrapped as
// {"<branch>": value}, null bare; every record field present, defaults are not filled in;
// undeclared fields ignored), and names the first offending field path and what was expected.
//
// Deliberately stricter than Pub/Sub in three places its decoder lets through (measured against
// the emulator): a fractional number for an int/long, bytes after the JSON value, and a union
// object with more than one branch key (Pub/Sub reads the first and ignores the rest).
import avro from 'avsc';

export interface ContractViolation {
  /** `$.items[2].qty` */
  readonly path: string;
  /** `expected int, got "two"` */
  readonly message: string;
}

/** undefined when `value` conforms; else the problem, its path segments innermost-first (each parent appends its own). */
type Check = (value: unknown) => Problem | undefined;

interface Problem {
  segments: string[];
  message: string;
}

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

/** A short rendering of a JSON value for a message: `"two"`, `1.5`, `an object`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string': {
      const text = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
      return text;
    }
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const fail = (message: string): Problem => ({ segments: [], message });
const expected = (what: string, value: unknown): Problem => fail(`expected ${what}, got ${describeValue(value)}`);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isByteString(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return false;
  return true;
}

function compileType(type: avro.Type, named: Map<string, Check>): Check {
  const typeName = type.typeName;
  switch (typeName) {
    case 'null':
      return (v) => (v === null ? undefined : expected('null', v));
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? undefined : expected('boolean', v));
    case 'int':
      return (v) => (typeof v === 'number' && Number.isInteger(v) && v >= INT_MIN && v <= INT_MAX ? undefined : expected('int', v));
    case 'long':
      // JSON numbers beyond 2^53 lose precision in any JavaScript producer or consumer.
      return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? undefined : expected('long', v));
    case 'float':
    case 'double':
      return (v) => (typeof v === 'number' ? undefined : expected(typeName, v));
    case 'string':
      return (v) => (typeof v === 'string' ? undefined : expected('string', v));
    case 'bytes':
      return (v) => (typeof v === 'string' && isByteString(v) ? undefined : expected('bytes (a string of code points 0-255)', v));
    case 'fixed': {
      const size = (type as avro.types.FixedType).size;
      return (v) => (typeof v === 'string' && isByteString(v) && v.length === size ? undefined : expected(`fixed of ${size} bytes`, v));
    }
    case 'enum': {
      const symbols = (type as avro.types.EnumType).symbols;
      const allowed = new Set(symbols);
      const list = symbols.length <= 8 ? symbols.join(' | ') : `one of ${symbols.length} symbols of ${type.name ?? 'the enum'}`;
      return (v) => (typeof v === 'string' && allowed.has(v) ? undefined : expected(list, v));
    }
    case 'array': {
      const items = compileType((type as avro.types.ArrayType).itemsType, named);
      return (v) => {
        if (!Array.isArray(v)) return expected('array', v);
        for (let i = 0; i < v.length; i++) {
          const problem = items(v[i]);
          if (problem) {
            problem.segments.push(`[${i}]`);
            return problem;
          }
        }
        return undefined;
      };
    }
    case 'map': {
      const values = compileType((type as avro.types.MapType).valuesType as avro.Type, named);
      return (v) => {
        if (!isPlainObject(v)) return expected('map (an object)', v);
        for (const key of Object.keys(v)) {
          const problem = values(v[key]);
          if (problem) {
            problem.segments.push(segment(key));
            return problem;
          }
        }
        return undefined;
      };
    }
    case 'record':
    case 'error': {
      const name = type.name as string;
      const known = named.get(name);
      if (known) return known;
      // Recursive records refer to themselves: register before compiling the fields.
      const fields: { name: string; segment: string; check: Check }[] = [];
      const check: Check = (v) => {
        if (!isPlainObject(v)) return expected(`record ${name} (an object)`, v);
        for (let i = 0; i < fields.length; i++) {
          const field = fields[i] as (typeof fields)[number];
          if (!Object.prototype.hasOwnProperty.call(v, field.name)) {
            const problem = fail('required field missing (Pub/Sub fills in no defaults)');
            problem.segments.push(field.segment);
            return problem;
          }
          const problem = field.check(v[field.name]);
          if (problem) {
            problem.segments.push(field.segment);
            return problem;
          }
        }
        return undefined;
      };
      named.set(name, check);
      for (const field of (type as avro.types.RecordType).fields) {
        fields.push({ name: field.name, segment: segment(field.name), check: compileType(field.type, named) });
      }
      return check;
    }
    case 'union:wrapped':
    case 'union:unwrapped': {
      const branches = new Map<string, Check>();
      for (const branch of (type as avro.types.WrappedUnionType).types) {
        branches.set(branch.branchName ?? branch.typeName, compileType(branch, named));
      }
      const hasNull = branches.has('null');
      const names = [...branches.keys()];
      const wanted = `${hasNull ? 'null or ' : ''}{"<branch>": value} with branch ${names.filter((n) => n !== 'null').join(' | ')}`;
      return (v) => {
        if (v === null) return hasNull ? undefined : expected(wanted, v);
        if (!isPlainObject(v)) return expected(wanted, v);
        const keys = Object.keys(v);
        if (keys.length !== 1) return expected(wanted, v);
        const branch = keys[0] as string;
        const inner = branch === 'null' ? undefined : branches.get(branch);
        if (inner === undefined) return fail(`expected a union branch ${names.filter((n) => n !== 'null').join(' | ')}, got branch ${JSON.stringify(branch)}`);
        const problem = inner(v[branch]);
        if (problem) problem.segments.push(segment(branch));
        return problem;
      };
    }
    default: {
      // Logical types avsc does not implement are read as their underlying type.
      const underlying = (type as Partial<avro.types.LogicalType>).underlyingType;
      if (underlying) return compileType(underlying, named);
      throw new Error(`unsupported Avro type ${typeName}`);
    }
  }
}

/** `.qty`, or `["odd key"]` for a key that is not an identifier. */
function segment(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

export type BodyValidator = (body: Buffer) => ContractViolation | undefined;

/** Compiles an Avro schema (its JSON text) into a validator of JSON-encoded bodies. Throws on a bad schema. */
export function compileAvroValidator(definition: string): BodyValidator {
  const type = avro.Type.forSchema(JSON.parse(definition) as avro.Schema, { wrapUnions: true });
  const check = compileType(type, new Map());
  return (body) => {
    if (body.length === 0) return { path: '$', message: 'expected a JSON value, got an empty body' };
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (err) {
      return { path: '$', message: `not valid JSON (${(err as Error).message})` };
    }
    const problem = check(value);
    if (problem === undefined) return undefined;
    return { path: `$${problem.segments.reverse().join('')}`, message: problem.message };
  };
}

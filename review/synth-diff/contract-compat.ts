/**
 * Is a new revision of a topic's contract compatible with the old one? Both directions matter
 * on a topic: consumers not yet upgraded read events written with the new revision, and
 * upgraded consumers read the events still in the backlog, written with the old one.
 * - Avro: avsc's schema resolution (the Avro spec's reader/writer rules), both ways.
 * - Protobuf: `buf breaking` with the WIRE_JSON rule set (wire and JSON compatibility: the
 *   topics' encodings), run on two temporary modules.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { runProcess } from './synth-process.ts';

export interface Compatibility {
  readonly compatible: boolean;
  /** Why, one line each: `old consumers cannot read new events: …`. Empty when compatible. */
  readonly reasons: readonly string[];
}

const parseAvro = (text: string): avro.Type => avro.Type.forSchema(JSON.parse(text) as avro.Schema, { wrapUnions: true });

/** Pure: resolution of new-by-old and old-by-new. */
export function avroCompatibility(before: string, after: string): Compatibility {
  const reasons: string[] = [];
  let oldType: avro.Type;
  let newType: avro.Type;
  try {
    oldType = parseAvro(before);
    newType = parseAvro(after);
  } catch (err) {
    return { compatible: false, reasons: [`a revision does not parse: ${(err as Error).message}`] };
  }
  try {
    oldType.createResolver(newType); // reader: old consumers; writer: new publishers
  } catch (err) {
    reasons.push(`consumers on the old revision cannot read new events (${(err as Error).message})`);
  }
  try {
    newType.createResolver(oldType); // reader: upgraded consumers; writer: the backlog
  } catch (err) {
    reasons.push(`consumers on the new revision cannot read events already published (${(err as Error).message})`);
  }
  return { compatible: reasons.length === 0, reasons };
}

const BUF_CONFIG = 'version: v2\nbreaking:\n  use:\n    - WIRE_JSON\n';

/** `buf breaking` (WIRE_JSON) of `after` against `before`; `buf` is the binary to run. */
export async function protobufCompatibility(before: string, after: string, buf: string): Promise<Compatibility> {
  const dir = await mkdtemp(join(tmpdir(), 'contract-buf-'));
  try {
    for (const [side, text] of [
      ['before', before],
      ['after', after],
    ] as const) {
      await mkdir(join(dir, side));
      await writeFile(join(dir, side, 'buf.yaml'), BUF_CONFIG);
      await writeFile(join(dir, side, 'contract.proto'), text);
    }
    const run = await runProcess(buf, ['breaking', 'after', '--against', 'before', '--error-format', 'json'], dir);
    if (run.code === 0) return { compatible: true, reasons: [] };
    const reasons = run.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((line) => {
        try {
          const issue = JSON.parse(line) as { type?: string; message?: string };
          // The message's first sentence; buf appends links to the compatibility rules.
          return `${issue.type ?? 'BREAKING'}: ${(issue.message ?? line).split('. See ')[0]}`;
        } catch {
          return line;
        }
      });
    if (reasons.length === 0) reasons.push(`buf breaking failed (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-3).join(' ')}`);
    return { compatible: false, reasons };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

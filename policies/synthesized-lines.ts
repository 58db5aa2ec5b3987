/**
 * The line of a finding's target in the synthesized file, for reports that point into it:
 * a resource's `"<name>": {` in cdk.tf.json (cdktf writes 2-space-indented JSON), an object's
 * `metadata.name` (or its container's `name`) in a Kubernetes YAML stream. Targets in other
 * files, or not found, get no line.
 */

/** `type.name` (and `data.type.name`, `terraform.backend`) → line, for cdktf's JSON layout. */
function terraformLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let block: 'resource' | 'data' | 'terraform' | undefined;
  let type: string | undefined;
  text.split('\n').forEach((line, i) => {
    const top = /^ {2}"([^"]+)": \{$/.exec(line);
    if (top) {
      const name = top[1];
      block = name === 'resource' || name === 'data' || name === 'terraform' ? name : undefined;
      type = undefined;
      return;
    }
    if (block === undefined) return;
    const second = /^ {4}"([^"]+)": \{$/.exec(line);
    if (second?.[1]) {
      type = second[1];
      if (block === 'terraform') lines.set(`terraform.${type}`, i + 1);
      return;
    }
    const third = /^ {6}"([^"]+)": \{$/.exec(line);
    if (third?.[1] && type && block !== 'terraform') {
      lines.set(`${block === 'data' ? 'data.' : ''}${type}.${third[1]}`, i + 1);
    }
  });
  return lines;
}

const unquote = (value: string): string => value.trim().replace(/^(['"])(.*)\1$/, '$2');

/** `Kind/ns/name` (and `…#container`) → line, for a Kubernetes YAML stream. */
function kubernetesLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const all = text.split('\n');
  let start = 0;
  for (let i = 0; i <= all.length; i++) {
    if (i < all.length && all[i] !== '---') continue;
    const doc = all.slice(start, i);
    const kind = doc.map((l) => /^kind:\s*(.+)$/.exec(l)?.[1]).find((k) => k !== undefined);
    const metadataAt = doc.findIndex((l) => /^metadata:\s*$/.test(l));
    if (kind && metadataAt >= 0) {
      let name: string | undefined;
      let nameLine = metadataAt;
      let namespace = '_cluster';
      for (let j = metadataAt + 1; j < doc.length && /^( |$)/.test(doc[j] ?? ''); j++) {
        const field = /^ {2}(name|namespace):\s*(.+)$/.exec(doc[j] ?? '');
        if (field?.[1] === 'name' && field[2]) [name, nameLine] = [unquote(field[2]), j];
        if (field?.[1] === 'namespace' && field[2]) namespace = unquote(field[2]);
      }
      if (name !== undefined) {
        const address = `${unquote(kind)}/${namespace}/${name}`;
        lines.set(address, start + nameLine + 1);
        let listIndent: number | undefined;
        doc.forEach((l, j) => {
          const list = /^(\s*)(initContainers|containers):\s*$/.exec(l);
          if (list) {
            listIndent = list[1]?.length ?? 0;
            return;
          }
          if (listIndent === undefined) return;
          const indent = /^(\s*)/.exec(l)?.[1]?.length ?? 0;
          if (l.trim() !== '' && indent <= listIndent && !l.trimStart().startsWith('- ')) listIndent = undefined;
          const container = /^\s*(?:- )?name:\s*(.+)$/.exec(l);
          if (listIndent !== undefined && container?.[1] && indent <= listIndent + 4) {
            const key = `${address}#${unquote(container[1])}`;
            if (!lines.has(key)) lines.set(key, start + j + 1);
          }
        });
      }
    }
    start = i + 1;
  }
  return lines;
}

/** Line indexes per synthesized file, built once per file. */
export class SynthesizedLines {
  private readonly indexes = new Map<string, Map<string, number>>();

  constructor(private readonly read: (file: string) => string | undefined) {}

  line(file: string, address: string): number | undefined {
    let index = this.indexes.get(file);
    if (!index) {
      const text = this.read(file);
      index = text === undefined ? new Map() : file.endsWith('.json') ? terraformLines(text) : /\.ya?ml$/.test(file) ? kubernetesLines(text) : new Map();
      this.indexes.set(file, index);
    }
    return index.get(address) ?? index.get(address.split('#')[0] ?? address);
  }
}

// Loads gateway-routes.json and hot-reloads it. The DIRECTORY is watched, not the file:
// a Kubernetes ConfigMap update swaps the `..data` symlink, which a file watch never sees.
// A new file that fails to parse or validate is rejected with a log line; the old table keeps serving.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseGatewayRoutes, type GatewayRoutes } from './route-table.ts';

export async function readRoutesFile(file: string): Promise<{ table: GatewayRoutes; text: string }> {
  const text = await readFile(file, 'utf8');
  return { table: parseRoutesText(text, file), text };
}

export function parseRoutesText(text: string, file: string): GatewayRoutes {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path.basename(file)}: invalid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseGatewayRoutes(json, path.basename(file));
}

export interface RouteTableWatcherOptions {
  file: string;
  debounceMs: number;
  /** Applies a validated table; a rejection counts as a rejected reload (old table kept). */
  apply: (table: GatewayRoutes) => Promise<void>;
  onRejected: (err: Error) => void;
}

export class RouteTableWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastText: string | undefined;
  private lastRejected: string | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: RouteTableWatcherOptions) {}

  /** Initial load: throws when the file is missing or invalid (the gateway must not start blind). */
  async start(): Promise<void> {
    const { table, text } = await readRoutesFile(this.options.file);
    await this.options.apply(table);
    this.lastText = text;
    this.watcher = watch(path.dirname(this.options.file), { persistent: false }, () => this.schedule());
    this.watcher.on('error', (err) => this.options.onRejected(err));
  }

  private schedule(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.reload());
    }, this.options.debounceMs);
  }

  private async reload(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.options.file, 'utf8');
    } catch {
      return; // missing mid-swap (transient): the next event reloads
    }
    if (text === this.lastText || text === this.lastRejected) return;
    try {
      const table = parseRoutesText(text, this.options.file);
      await this.options.apply(table);
      this.lastText = text;
      this.lastRejected = undefined;
    } catch (err) {
      this.lastRejected = text; // report a given bad file once; the old table keeps serving
      this.options.onRejected(err instanceof Error ? err : new Error(String(err)));
    }
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.watcher?.close();
  }
}

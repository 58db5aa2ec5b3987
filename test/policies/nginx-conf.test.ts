/**
 * The nginx.conf parser the edge rules read with: every rendered nginx.conf parses into the
 * tree the renderer wrote, nginx's quoting and comment rules hold, broken text fails with the
 * line real nginx names (checked against `nginx -t` when nginx is installed), and time
 * intervals and directive inheritance follow nginx's documented rules.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEdgeConfigs } from '../../constructs/edge/edge-configs.ts';
import { NginxScope, NginxSyntaxError, parseNginxConf, parseNginxDuration, type NginxDirective } from '../../policies/nginx-conf.ts';
import { planOf } from '../plan-fixtures.ts';

const ENVS = ['dev', 'staging', 'prod'] as const;

function all(tree: readonly NginxDirective[], name: string): NginxDirective[] {
  return tree.flatMap((d) => [...(d.name === name ? [d] : []), ...all(d.block ?? [], name)]);
}

describe('parseNginxConf on the rendered configs', () => {
  it.each(ENVS)('parses %s nginx.conf into http → servers → locations, one node per directive line', (env) => {
    const text = renderEdgeConfigs(planOf(env))['nginx.conf'];
    const tree = parseNginxConf(text, `dist/${env}/edge/nginx.conf`);
    const lines = text.split('\n');
    expect(tree.map((d) => d.name)).toEqual(['worker_processes', 'pid', 'error_log', 'worker_shutdown_timeout', 'events', 'http']);
    const http = tree.find((d) => d.name === 'http');
    const servers = (http?.block ?? []).filter((d) => d.name === 'server');
    expect(servers.length).toBe(lines.filter((l) => /^\s*server \{$/.test(l)).length);
    const locations = all(tree, 'location');
    expect(locations.length).toBe(lines.filter((l) => /^\s*location .*\{$/.test(l)).length);
    // Every node's line is where its name is written.
    for (const d of [...locations, ...all(tree, 'set'), ...all(tree, 'keepalive_timeout')]) {
      expect(lines[d.line - 1]?.trim().startsWith(`${d.name} `), `${d.name} at line ${d.line}`).toBe(true);
    }
    // Quoted values come back unquoted and regexes keep their backslashes.
    const clientMap = all(tree, 'map').find((m) => m.args[1] === '$edge_client_addr');
    expect(clientMap?.block?.[0]?.name).toBe('~^1 (?:.*,)?\\s*(?<client>[^,\\s]+)\\s*,\\s*[^,\\s]+\\s*$');
    const upgradeMap = all(tree, 'map').find((m) => m.args[0] === '$http_upgrade');
    expect(upgradeMap?.block?.map((d) => [d.name, ...d.args])).toEqual([
      ['default', 'upgrade'],
      ['', 'close'],
    ]);
    const logFormat = all(tree, 'log_format')[0];
    expect(logFormat?.args[0]).toBe('edge_json');
    expect(logFormat?.args.slice(2).join('')).toMatch(/^\{"time":"\$time_iso8601".*"user_agent":"\$http_user_agent"\}$/);
  });
});

describe('parseNginxConf syntax', () => {
  it('follows nginx tokenizing: quotes, escapes, comments, ${var}, # and } inside words, ) after a quote', () => {
    const tree = parseNginxConf(
      [
        '# a comment',
        'a "x y" \'z;{}\' # trailing comment',
        '  b\\ c "q\\"uote" \'\\t\' \\n;',
        'set $v ${host}x;',
        'k uuid#counter w};',
        'blk arg {',
        '  inner;   # comment with ; { }',
        '  nested { deep 1; }',
        '}',
        'if ($a = "b") { return 403; }',
      ].join('\n'),
    );
    expect(tree).toEqual([
      { name: 'a', args: ['x y', 'z;{}', 'b\\ c', 'q"uote', '\t', '\n'], line: 2 },
      { name: 'set', args: ['$v', '${host}x'], line: 4 },
      { name: 'k', args: ['uuid#counter', 'w}'], line: 5 },
      {
        name: 'blk',
        args: ['arg'],
        line: 6,
        block: [
          { name: 'inner', args: [], line: 7 },
          { name: 'nested', args: [], line: 8, block: [{ name: 'deep', args: ['1'], line: 8 }] },
        ],
      },
      { name: 'if', args: ['($a', '=', 'b', ')'], line: 10, block: [{ name: 'return', args: ['403'], line: 10 }] },
    ]);
  });

  it('keeps a quoted string that spans lines and counts its lines', () => {
    const tree = parseNginxConf('return 200 "one\ntwo";\nnext;');
    expect(tree).toEqual([
      { name: 'return', args: ['200', 'one\ntwo'], line: 1 },
      { name: 'next', args: [], line: 3 },
    ]);
  });

  const BROKEN: readonly { name: string; text: string; line: number; problem: RegExp; nginxAgrees: boolean }[] = [
    {
      name: 'a directive not terminated by ;',
      text: 'events {}\nhttp {\n  server {\n    listen 127.0.0.1:1;\n    return 200 "x"\n  }\n}\n',
      line: 6,
      problem: /unexpected "}": "return" is not terminated by ";"/,
      nginxAgrees: true,
    },
    { name: 'a stray }', text: 'events {}\nhttp {\n}\n}\n', line: 4, problem: /unexpected "}": no block is open/, nginxAgrees: true },
    { name: 'text glued to a quoted string', text: 'events {}\nhttp {\n  server {\n    return 200 "x"y;\n  }\n}\n', line: 4, problem: /unexpected "y" after a quoted string/, nginxAgrees: true },
    { name: 'a block without a name', text: 'events {}\nhttp {\n  {\n  }\n}\n', line: 3, problem: /unexpected "\{": no directive name/, nginxAgrees: true },
    { name: 'an empty statement', text: 'events {}\nhttp {\n  ;\n}\n', line: 3, problem: /unexpected ";": no directive name/, nginxAgrees: true },
    // nginx names the end of the file for these; the parser names where the problem starts.
    { name: 'an unclosed block', text: 'events {}\nhttp {\n  server {\n    listen 1;\n}\n', line: 2, problem: /"http" block opened here is not closed/, nginxAgrees: false },
    { name: 'an unterminated quote', text: 'events {}\nhttp {\n  server {\n    return 200 "x;\n  }\n}\n', line: 4, problem: /unterminated double-quoted string/, nginxAgrees: false },
    { name: 'a last directive without ;', text: 'events {}\nhttp {}\nworker_processes 2', line: 3, problem: /"worker_processes" is not terminated by ";"/, nginxAgrees: false },
  ];

  it.each(BROKEN)('fails on $name with the file and line', ({ text, line, problem }) => {
    let error: unknown;
    try {
      parseNginxConf(text, 'dist/x/edge/nginx.conf');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(NginxSyntaxError);
    expect((error as NginxSyntaxError).line).toBe(line);
    expect((error as Error).message).toMatch(new RegExp(`^dist/x/edge/nginx\\.conf:${line}: `));
    expect((error as Error).message).toMatch(problem);
  });

  describe('against real nginx', () => {
    const nginxAvailable = new Promise<boolean>((done) => execFile('nginx', ['-v'], (err) => done(!err)));
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'nginx-conf-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it.for(BROKEN.filter((b) => b.nginxAgrees))('nginx -t rejects $name at the same line', async ({ text, line }, ctx) => {
      if (!(await nginxAvailable)) {
        if (process.env.CI === 'true') throw new Error('nginx is required when CI=true (.ci/run installs nginx-light)');
        ctx.skip('nginx is not installed (Debian package nginx-light)');
      }
      const file = join(dir, `broken-${line}-${Math.random().toString(36).slice(2)}.conf`);
      await writeFile(file, text);
      const stderr = await new Promise<string>((done) =>
        execFile('nginx', ['-t', '-q', '-p', dir, '-e', 'stderr', '-c', file], (err, _out, errText) => done(err ? errText : 'accepted')),
      );
      expect(stderr).toContain(`in ${file}:${line}`);
    });
  });
});

describe('parseNginxDuration', () => {
  it.each([
    ['30s', 30_000],
    ['1500ms', 1_500],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['620', 620_000],
    ['1h 30m', 5_400_000],
    ['1h30m', 5_400_000],
    ['1m 30', 90_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1M', 2_592_000_000],
    ['1y', 31_536_000_000],
    ['2s 500ms', 2_500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseNginxDuration(text)).toBe(ms);
  });

  it.each(['', 's', '10x', '1.5s', '30m 1h', '1s 1s', '1 30s', '-1s'])('%j is not a time interval', (text) => {
    expect(parseNginxDuration(text)).toBeUndefined();
  });
});

describe('NginxScope', () => {
  const tree = parseNginxConf(
    [
      'http {',
      '  proxy_read_timeout 30s;',
      '  proxy_set_header Host $host;',
      '  proxy_set_header X-A a;',
      '  server {',
      '    proxy_read_timeout 40s;',
      '    location /a { proxy_set_header Upgrade $http_upgrade; }',
      '    location /b { proxy_pass http://x; }',
      '  }',
      '}',
    ].join('\n'),
  );
  const http = tree[0]?.block ?? [];
  const server = http.find((d) => d.name === 'server')?.block ?? [];
  const [a, b] = server.filter((d) => d.name === 'location').map((d) => new NginxScope([d.block ?? [], server, http]));

  it('takes a simple directive from the innermost block that sets it', () => {
    expect(a?.directive('proxy_read_timeout')?.args).toEqual(['40s']);
    expect(a?.directive('proxy_read_timeout')?.line).toBe(6);
    expect(a?.directive('grpc_read_timeout')).toBeUndefined();
    expect(b?.own('proxy_pass').map((d) => d.args[0])).toEqual(['http://x']);
    expect(b?.own('proxy_read_timeout')).toEqual([]);
  });

  it('inherits proxy_set_header only into a block that sets none of its own', () => {
    expect(a?.all('proxy_set_header').map((d) => d.args[0])).toEqual(['Upgrade']);
    expect(b?.all('proxy_set_header').map((d) => d.args[0])).toEqual(['Host', 'X-A']);
  });
});

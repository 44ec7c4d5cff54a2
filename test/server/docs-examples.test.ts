import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, serve } from '../support/serve.js';
import { tempDir } from './harness.js';

/**
 * Every shell example of README.md and docs/*.md, run against a real server, its output compared with the
 * answer written under it (issue 24.1): an example that drifts from what the server answers fails here.
 *
 * Each page gets a server of its own on an empty data folder and one bash; its ```sh blocks run in order, so
 * the variables a page sets (KEY=...) carry from block to block. `http://localhost:3000` is that server,
 * `npx user-badges` the CLI from the sources on the same data; the page's folder sees this clone's `scripts/`. An answer is the `# {...}` (or `# [...]`)
 * comment lines right under a command, joined; `...` or `…` in it matches anything. `# 403: text` is a refusal
 * that is not JSON: the status curl reports, and the body. A block that cannot run
 * here (a real external address, another machine, a server that runs until stopped) is fenced ```sh no-run,
 * with the reason on the line above (`<!-- not run: why -->`), and counted and listed below. `http://localhost:3000` in an answer is that server too.
 */

const ADMIN_TOKEN = 'docs-admin-token-0123456789abcdef';
const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

interface Command {
  code: string;
  /** The first line of the command in its page, for messages. */
  line: number;
  answer?: string;
}

interface Page {
  path: string;
  commands: Command[];
  /** The blocks not run: their first line, and why not. */
  notRun: { line: number; reason?: string }[];
}

/** The ```sh blocks of a page, cut into complete commands, each with the answer written under it. */
export function parsePage(path: string, text: string): Page {
  const lines = text.split('\n');
  const commands: Command[] = [];
  const notRun: Page['notRun'] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```sh(?:\s+(.*))?$/.exec(lines[i]!);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    if (fence[1]?.trim() === 'no-run') notRun.push({ line: start, reason: /^<!-- not run: (.+) -->$/.exec(lines[i - 1] ?? '')?.[1] });
    else commands.push(...commandsOf(path, lines.slice(start, end), start + 1));
    i = end;
  }
  return { path, commands, notRun };
}

// `# {...}` starts an answer; lines indented further (`#   {...},`) go on with it.
const isAnswerStart = (line: string) => /^# ([{[]|\d{3}: )/.test(line);
const isAnswerMore = (line: string) => /^# {2,}\S/.test(line);

function commandsOf(path: string, block: string[], firstLine: number): Command[] {
  const commands: Command[] = [];
  let current: string[] = [];
  let at = 0;
  for (let i = 0; i < block.length; i++) {
    const line = block[i]!;
    if (current.length === 0) {
      if (isAnswerStart(line)) {
        // An answer: it belongs to the command just above.
        const answer: string[] = [line];
        while (i + 1 < block.length && isAnswerMore(block[i + 1]!)) answer.push(block[++i]!);
        const last = commands.at(-1);
        assert.ok(last && last.answer === undefined, `${path}:${firstLine + i}: an answer with no command above it`);
        last.answer = answer.map((l) => l.replace(/^#/, '').trim()).join('');
        continue;
      }
      if (/^\s*(#.*)?$/.test(line)) continue;
      at = i;
    }
    current.push(line);
    if (complete(current.join('\n'))) {
      commands.push({ code: current.join('\n'), line: firstLine + at });
      current = [];
    }
  }
  assert.equal(current.length, 0, `${path}:${firstLine + at}: a command that does not end`);
  return commands;
}

/** Whether shell text is complete: no quote left open, no line continued. */
function complete(text: string): boolean {
  let quote: string | undefined;
  let code = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === undefined && c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
      continue;
    }
    code += c;
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === '\\') code += text[++i] ?? '\\';
    else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
  }
  return quote === undefined && !/(\\|\||&&|\(|\{)\s*$/.test(code);
}

/** `...` and `…` match anything; the rest exactly, white space between JSON tokens aside. */
export function matches(answer: string, output: string): boolean {
  const flat = (s: string) => s.split('\n').map((l) => l.trim()).join('');
  const pattern = flat(answer)
    .split(/\.\.\.|…/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*?');
  return new RegExp(`^${pattern}$`).test(flat(output));
}

interface Ran {
  output: string;
  status: number;
  /** The HTTP status of a refusal, as curl --fail-with-body reports it. */
  refused?: number;
}

/** Runs a page's commands in one bash, in order; each command's output (stdout and stderr) and status. */
async function runPage(page: Page, base: string, dir: string, data: string): Promise<Ran[]> {
  const marker = `@@@${process.pid}@@@`;
  const cli = `${process.execPath} --import ${import.meta.resolve('tsx')} ${ROOT}server/cli/main.ts`;
  const script = [
    'set +e',
    // In a terminal curl shows no progress meter; through a pipe it would, on stderr.
    'curl() { command curl -sS --fail-with-body "$@"; }',
    `npx() { if [ "$1" = user-badges ]; then shift; ${cli} "$@"; else command npx "$@"; fi; }`,
    ...page.commands.map((c) => `{\n${c.code.replaceAll('http://localhost:3000', base)}\n} 2>&1; printf '\\n${marker}%s\\n' "$?"`),
  ].join('\n');
  const child = spawn('bash', ['-c', script], {
    cwd: dir,
    env: { ...process.env, DATA_FILE: data, SETTINGS_FILE: '/dev/null', ADMIN_TOKEN, DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let errors = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk));
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, `bash on ${page.path} exited ${code}: ${errors}`);
  const parts = out.split(new RegExp(`\\n${marker}(\\d+)\\n`));
  const ran: Ran[] = [];
  // curl --fail-with-body (so that an example answering 4xx without saying so fails) adds a line on stderr
  // that a terminal would not show: what is compared is the body. So does -S when an example ends a
  // stream (Server-Sent Events) with --max-time, which its own -s keeps quiet in a terminal.
  const body = (text: string) =>
    text
      .replace(/\n$/, '')
      .replace(/^curl: \(22\) The requested URL returned error: \d+\n?/gm, '')
      .replace(/^curl: \(28\) Operation timed out after \d+ milliseconds with \d+ bytes received\n?/gm, '');
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const refused = /^curl: \(22\) The requested URL returned error: (\d+)$/m.exec(parts[i]!)?.[1];
    ran.push({ output: body(parts[i]!), status: Number(parts[i + 1]), ...(refused ? { refused: Number(refused) } : {}) });
  }
  assert.equal(ran.length, page.commands.length, `${page.path}: every command ran\n${out}${errors}`);
  return ran;
}

export const pages = PAGES.map((path) => parsePage(path, readFileSync(join(ROOT, path), 'utf8')));

describe('the examples of the README and docs/ answer what they say (issue 24.1)', () => {
  test('the reader of the pages finds answers and can tell them from commands', () => {
    assert.ok(matches('{"a":1,"b":...}', '{"a":1,"b":[2,3]}'));
    assert.ok(!matches('{"a":1,"b":...}', '{"a":2,"b":[2,3]}'));
    assert.ok(matches('{"id":"key_…","x":1}', '{"id":"key_abc","x":1}'));
    assert.equal(parsePage('x.md', ['```sh', 'curl http://x', '# 403: Not yours', '```'].join('\n')).commands[0]!.answer, '403: Not yours');
    const page = parsePage('x.md', ['```sh', "curl -d '{", "  \"a\":1}' \\", '  http://x', '# {"ok":...}', '# comment', 'echo 1', '```', '```sh no-run', 'ls', '```'].join('\n'));
    assert.equal(page.commands.length, 2);
    assert.equal(page.commands[0]!.answer, '{"ok":...}');
    assert.equal(page.commands[1]!.answer, undefined);
    assert.deepEqual(page.notRun, [{ line: 9, reason: undefined }]);
  });

  for (const page of pages) {
    if (page.commands.length === 0) continue;
    test(`${page.path}: ${page.commands.length} commands`, async (t) => {
      const dir = await tempDir(t);
      const data = join(dir, 'db.json');
      symlinkSync(join(ROOT, 'scripts'), join(dir, 'scripts'));
      const server = await serve(['--data', data, '--no-seed'], { env: { ADMIN_TOKEN, DATABASE_URL: undefined } });
      t.after(() => server.stop());
      const ran = await runPage(page, server.base, dir, data);
      const wrong: string[] = [];
      page.commands.forEach((command, i) => {
        const { output, status, refused } = ran[i]!;
        const where = `${page.path}:${command.line}: ${command.code.split('\n')[0]}`;
        const refusal = command.answer && /^(\d{3}): ([\s\S]*)$/.exec(command.answer);
        if (refusal) {
          if (refused !== Number(refusal[1]) || !matches(refusal[2]!, output)) wrong.push(`${where}\n    written: ${command.answer}\n    answered: ${refused ?? status}: ${output.slice(0, 800)}`);
        } else if (command.answer !== undefined) {
          if (!matches(command.answer.replaceAll('http://localhost:3000', server.base), output)) wrong.push(`${where}\n    written: ${command.answer}\n    answered: ${output.slice(0, 800)}`);
        } else if (status !== 0) wrong.push(`${where}\n    exited ${status}: ${output.slice(0, 800)}`);
      });
      assert.deepEqual(wrong, [], `${wrong.length} examples answer otherwise than written:\n${wrong.join('\n')}`);
    });
  }

  test('blocks that are not run are few, and listed', () => {
    const notRun = pages.flatMap((p) => p.notRun.map(({ line, reason }) => `${p.path}:${line}: ${reason ?? 'no reason given'}`));
    console.log(`sh blocks not run (fenced \`\`\`sh no-run): ${notRun.length}\n${notRun.join('\n')}`);
    assert.deepEqual(notRun.filter((n) => n.endsWith('no reason given')), [], 'each block not run says why on the line above: <!-- not run: why -->');
    const run = pages.reduce((n, p) => n + p.commands.length, 0);
    assert.ok(run > notRun.length * 3, `${run} commands run, ${notRun.length} blocks not run`);
  });
});

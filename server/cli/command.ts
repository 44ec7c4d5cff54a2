import { parseArgs } from 'node:util';
import { settingFlags, settingsHelp, wrap, type SettingName, type Settings } from '../config/settings.js';

/** A command line the CLI cannot run as typed: the CLI says what is wrong and exits 2, having done nothing. */
export class UsageError extends Error {}

export interface Positional {
  name: string;
  /** What it is, for messages: "the name of a service". */
  what: string;
  optional?: boolean;
}

export interface CommandOption {
  type: 'string' | 'boolean';
  /** What the help shows after the option: `TEXT`, `on|off`, ... */
  placeholder?: string;
  help: string;
  required?: boolean;
}

/** What a command is given: its arguments and options as typed, and the settings of every command. */
export interface Call {
  args: string[];
  options: Record<string, string | boolean | undefined>;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  /** Said once before the command's own output (a settings file others may read, ...). */
  warnings: string[];
}

/**
 * One command of the CLI, declared with what its `--help` says. A command group (`service ...`) is
 * the commands whose names start with the same word; `main.ts` lists every group once.
 */
export interface Command {
  /** Its words: `service create`. */
  name: string;
  args?: Positional[];
  /** One line, for the list of commands. */
  summary: string;
  /** Paragraphs of its own `--help`. */
  details?: string[];
  options?: Record<string, CommandOption>;
  /**
   * The settings it also takes as flags. Every command reads every setting from the environment and
   * the settings file, as `serve` does, so that all of them find the same data.
   */
  flags: readonly SettingName[];
  examples?: string[];
  run(call: Call): Promise<number>;
}

/** Where the data is: the flags of every command that opens the store. */
export const STORE_FLAGS: readonly SettingName[] = ['settingsFile', 'dataFile', 'databaseUrl'];

const SERVER_OPTION: Record<string, CommandOption> = {
  server: { type: 'string', placeholder: 'URL', help: "Use that server's admin API (the token from ADMIN_TOKEN)" },
};
/** `--server URL`, for commands that can go through a running server's admin API. */
export const serverOption = () => ({ ...SERVER_OPTION });

/** The command line after the command's words, checked against what the command takes. */
export function parseCall(command: Command, argv: string[]): { args: string[]; options: Record<string, string | boolean | undefined>; flags: Record<string, string | boolean | undefined> } {
  const own = Object.fromEntries(Object.entries(command.options ?? {}).map(([name, o]) => [name, { type: o.type }]));
  const settings = settingFlags(command.flags);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...own, ...settings, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    // parseArgs explains how to pass a positional that starts with "-": not what a user of a CLI needs.
    const { code, message } = error as { code?: string; message: string };
    const option = /'(-[^' ]+)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`${command.name} takes no option ${option}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`${option} needs a value`);
    throw new UsageError(message);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const options: Record<string, string | boolean | undefined> = {};
  const flags: Record<string, string | boolean | undefined> = {};
  for (const [name, value] of Object.entries(values)) (name in own ? options : flags)[name] = value;
  if (values.help) return { args: parsed.positionals, options, flags: { ...flags, help: true } };

  const wanted = command.args ?? [];
  const args = parsed.positionals;
  const required = wanted.filter((a) => !a.optional);
  if (args.length < required.length) {
    const missing = required[args.length]!;
    throw new UsageError(`${command.name} needs ${missing.what}: user-badges ${usageLine(command)}`);
  }
  if (args.length > wanted.length) {
    const extra = args.slice(wanted.length).map((a) => `"${a}"`).join(' ');
    throw new UsageError(wanted.length === 0 ? `${command.name} takes no arguments, but got ${extra}` : `${command.name} takes ${wanted.map((a) => a.name).join(' ')}, but also got ${extra}`);
  }
  for (const [name, option] of Object.entries(command.options ?? {})) {
    if (option.required && (options[name] === undefined || options[name] === '')) {
      throw new UsageError(`${command.name} needs --${name}${option.placeholder ? ` ${option.placeholder}` : ''} (${lowerFirst(option.help)})`);
    }
  }
  return { args, options, flags };
}

/** `key create SERVICE --label TEXT --operations LIST [options]` */
export function usageLine(command: Command): string {
  const args = (command.args ?? []).map((a) => (a.optional ? `[${a.name}]` : a.name));
  const required = Object.entries(command.options ?? {})
    .filter(([, o]) => o.required)
    .map(([name, o]) => `--${name}${o.placeholder ? ` ${o.placeholder}` : ''}`);
  const more = Object.values(command.options ?? {}).some((o) => !o.required) || command.flags.length > 0 ? ['[options]'] : [];
  return [command.name, ...args, ...required, ...more].join(' ');
}

/** The `--help` of one command: usage, what it does, its options, and the settings it takes as flags. */
export function commandHelp(command: Command): string {
  const lines = [`Usage: user-badges ${usageLine(command)}`, '', ...paragraphs([command.summary, ...(command.details ?? [])])];
  const options = Object.entries(command.options ?? {});
  if (options.length > 0) {
    lines.push('', 'Options:');
    for (const [name, o] of options) lines.push(...wrap(`  --${name}${o.placeholder ? ` ${o.placeholder}` : ''}`, o.help + (o.required ? ' (required)' : '')));
  }
  if (command.flags.length > 0) {
    lines.push('', 'Settings (a flag wins over the environment, which wins over the settings file):');
    lines.push(...settingsHelp(command.flags));
  }
  lines.push(...wrap('  -h, --help', 'Print this text'));
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}

/** The commands, one line each, under a heading. */
export function commandList(commands: readonly Command[]): string[] {
  return commands.flatMap((c) => wrap(`  ${[c.name, ...(c.args ?? []).map((a) => (a.optional ? `[${a.name}]` : a.name))].join(' ')}`, c.summary));
}

function paragraphs(texts: string[]): string[] {
  return texts.flatMap((text, i) => [...(i > 0 ? [''] : []), ...wrapText(text, 110)]);
}

function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

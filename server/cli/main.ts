import { fileURLToPath } from 'node:url';
import { loadSettings } from '../config/load-settings.js';
import { packageVersion } from '../config/package-root.js';
import { settingFlags, SettingsError, wrap } from '../config/settings.js';
import { commandHelp, commandList, parseCall, UsageError, type Command } from './command.js';
import { databaseCommands } from './database.js';
import { integrationCommands } from './integrations.js';
import { keyCommands } from './keys.js';
import { serveCommand } from './serve.js';
import { serviceCommands } from './services.js';
import { transferCommands } from './transfer.js';
import { userCommands } from './users.js';

/** Every command, each group once: a new group is one more line here. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  ...serviceCommands,
  ...keyCommands,
  ...integrationCommands,
  ...userCommands,
  ...transferCommands,
  ...databaseCommands,
];

/**
 * Runs a command line; resolves with the exit code: 0 done, 1 the command failed, 2 nothing was done
 * because the command line or a setting is wrong (the message says which).
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv, commands: readonly Command[] = COMMANDS): Promise<number> {
  try {
    return await run(argv, env, commands);
  } catch (error) {
    if (error instanceof SettingsError) {
      for (const problem of error.problems) console.error(`user-badges: ${problem}`);
      return 2;
    }
    if (error instanceof UsageError) {
      console.error(`user-badges: ${error.message}\n${(error as UsageError & { help?: string }).help ?? 'Run "user-badges --help" for the commands.'}`);
      return 2;
    }
    console.error(`user-badges: ${(error as Error).message}`);
    return 1;
  }
}

async function run(argv: string[], env: NodeJS.ProcessEnv, commands: readonly Command[]): Promise<number> {
  const { command, rest, group } = findCommand(argv, commands);
  if (!command) {
    const help = argv.includes('--help') || argv.includes('-h');
    if (group) {
      const members = commands.filter((c) => c.name.startsWith(`${group} `));
      const text = [`Usage: user-badges ${group} <command> [options]`, '', 'Commands:', ...commandList(members), '', `Run "user-badges ${group} <command> --help" for one command's options.`].join('\n');
      if (help) return say(text, 0);
      const word = rest.find((a) => !a.startsWith('-'));
      const names = members.map((c) => c.name.slice(group.length + 1)).join(', ');
      throw Object.assign(new UsageError(word ? `unknown ${group} command "${word}"; the commands are ${names}` : `${group} needs a command: ${names}`), { help: text });
    }
    if (argv.includes('--version')) return say(packageVersion(), 0);
    if (help || argv[0] === 'help') return say(overview(commands), 0);
    if (argv.length === 0) return say(overview(commands), 2);
    const word = argv.find((a) => !a.startsWith('-'));
    if (!word) throw new UsageError(`unknown option ${argv[0]}`);
    const names = [...new Set(commands.map((c) => c.name.split(' ')[0]))].join(', ');
    throw new UsageError(`unknown command "${word}"; the commands are ${names}`);
  }
  let parsed: ReturnType<typeof parseCall>;
  try {
    parsed = parseCall(command, rest);
  } catch (error) {
    if (error instanceof UsageError) Object.assign(error, { help: `Run "user-badges ${command.name} --help" for its options.` });
    throw error;
  }
  if (parsed.flags.help) {
    console.log(commandHelp(command));
    return 0;
  }
  const { settings, warnings } = await loadSettings(parsed.flags, env);
  return command.run({ args: parsed.args, options: parsed.options, settings, env, warnings: command.name === 'serve' ? warnings : [] });
}

/** Prints help or a version, and is the exit code. */
const say = (text: string, code: number) => (console.log(text), code);

/**
 * The command a command line names, by its first words wherever they are (`--data x service list`
 * names `service list`), and the rest of the line. `group` when the words name a group and no command.
 */
function findCommand(argv: string[], commands: readonly Command[]): { command?: Command; rest: string[]; group?: string } {
  // Options that take a value: their value is not a word of the command's name.
  const valued = new Set<string>();
  for (const c of commands) {
    for (const [name, o] of Object.entries(c.options ?? {})) if (o.type === 'string') valued.add(name);
    for (const [name, o] of Object.entries(settingFlags(c.flags))) if (o.type === 'string') valued.add(name);
  }
  const words: number[] = [];
  for (let i = 0; i < argv.length && words.length < 2; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    if (token.startsWith('-')) {
      if (!token.includes('=') && valued.has(token.replace(/^--?/, ''))) i++;
      continue;
    }
    words.push(i);
  }
  const [first, second] = words.map((i) => argv[i]!);
  const without = (indices: number[]) => argv.filter((_, i) => !indices.includes(i));
  const two = second === undefined ? undefined : commands.find((c) => c.name === `${first} ${second}`);
  if (two) return { command: two, rest: without(words.slice(0, 2)) };
  const one = commands.find((c) => c.name === first);
  if (one) return { command: one, rest: without(words.slice(0, 1)) };
  if (first !== undefined && commands.some((c) => c.name.startsWith(`${first} `))) return { rest: without(words.slice(0, 1)), group: first };
  return { rest: argv };
}

function overview(commands: readonly Command[]): string {
  return [
    'Usage: user-badges <command> [options]',
    '',
    'Commands:',
    ...commandList(commands),
    '',
    'Options of every command:',
    ...wrap('  -h, --help', 'Print the help of the command: user-badges key create --help'),
    ...wrap('  --version', 'Print the version of user-badges'),
    '',
    'Settings:',
    '  Every command reads the same settings as serve: flags, the environment, and user-badges.env in the',
    '  working folder (NAME=value lines). "user-badges serve --help" lists them all.',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (error) => {
      console.error(`user-badges: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}

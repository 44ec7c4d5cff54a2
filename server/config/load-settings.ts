import { readFile, stat } from 'node:fs/promises';
import { parseEnv } from 'node:util';
import { readSettings, SettingsError, type Settings, type SettingsSources } from './settings.js';

export interface LoadedSettings {
  settings: Settings;
  /** The settings file that was read, if any. */
  file: string | null;
  /** Said at start, not refused: a settings file others may read while it holds a secret. */
  warnings: string[];
}

const DEFAULT_FILE = 'user-badges.env';
const SECRETS = ['ADMIN_TOKEN', 'DATABASE_URL'];

/**
 * The settings of every command: flags, the environment, then the settings file (`--settings FILE`,
 * SETTINGS_FILE, or `user-badges.env` in the working folder when there is one), checked together.
 */
export async function loadSettings(flags: SettingsSources['flags'] = {}, env: NodeJS.ProcessEnv = {}): Promise<LoadedSettings> {
  const named = typeof flags.settings === 'string' ? flags.settings : env.SETTINGS_FILE || undefined;
  const path = named ?? DEFAULT_FILE;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && named === undefined) return { settings: readSettings({ flags, env }), file: null, warnings: [] };
    throw new SettingsError([`${typeof flags.settings === 'string' ? '--settings' : 'SETTINGS_FILE'}: cannot read ${path} (${code ?? (error as Error).message})`]);
  }
  const values = Object.fromEntries(Object.entries(parseEnv(text)).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const warnings: string[] = [];
  const secrets = SECRETS.filter((name) => values[name]);
  if (secrets.length > 0 && ((await stat(path)).mode & 0o077) !== 0) {
    warnings.push(`${path} holds ${secrets.join(' and ')} and others on this machine may read it: chmod 600 ${path}`);
  }
  return { settings: readSettings({ flags, env, file: { path, values } }), file: path, warnings };
}

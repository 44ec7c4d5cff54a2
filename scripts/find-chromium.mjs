#!/usr/bin/env node
/**
 * Finds the Chrome or Chromium the widget tests drive (no test tool may download a browser).
 *
 *   node scripts/find-chromium.mjs            prints its path, or says what to install (exit 1)
 *   node scripts/find-chromium.mjs --install  the same, but first installs Debian's `chromium`
 *                                             with apt-get when none is found and running as root
 *
 * Looks at $CHROMIUM (which must then be right: a wrong value stops here rather than being
 * ignored), then the usual names on $PATH, then the usual install places.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];
export const PLACES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];
/** What `.ci/run` and the README install on Debian. */
export const APT_PACKAGES = ['chromium', 'fonts-dejavu-core'];

const executable = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** The browser's path, or null. Throws when $CHROMIUM names something that is not an executable file. */
export function findChromium({ env = process.env, places = PLACES } = {}) {
  if (env.CHROMIUM) {
    if (executable(env.CHROMIUM)) return env.CHROMIUM;
    throw new Error(`CHROMIUM=${env.CHROMIUM} is not an executable file. Point it at Chrome or Chromium, or unset it.`);
  }
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of NAMES) if (executable(join(dir, name))) return join(dir, name);
  }
  return places.find(executable) ?? null;
}

/** The message for a machine without a browser: exactly what to install. */
export function missingMessage({ places = PLACES } = {}) {
  return [
    'The widget tests need Chrome or Chromium, and none was found.',
    `Looked at $CHROMIUM, ${NAMES.join(', ')} on $PATH, and ${places.join(', ')}.`,
    `On Debian or Ubuntu, as root: apt-get install -y --no-install-recommends ${APT_PACKAGES.join(' ')}`,
    '(npm test does that itself when it runs as root on a machine with apt-get.)',
    'Elsewhere, install Google Chrome, or set CHROMIUM=/path/to/chrome.',
  ].join('\n');
}

/**
 * Like findChromium, but when none is found and we run as root with apt-get on $PATH, installs
 * Debian's `chromium` first. Throws with missingMessage() when there is still none.
 */
export function ensureChromium({
  env = process.env,
  places = PLACES,
  isRoot = process.getuid?.() === 0,
  run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit', env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } }),
  log = (message) => console.error(message),
} = {}) {
  const found = findChromium({ env, places });
  if (found) return found;
  const aptGet = (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'apt-get')).find(executable);
  if (isRoot && aptGet) {
    log(`No Chrome or Chromium found: installing Debian's ${APT_PACKAGES.join(' ')} with apt-get...`);
    run(aptGet, ['update', '-qq']);
    run(aptGet, ['install', '-y', '-qq', '--no-install-recommends', ...APT_PACKAGES]);
    const installed = findChromium({ env, places });
    if (installed) return installed;
  }
  throw new Error(missingMessage({ places }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const path = process.argv.includes('--install') ? ensureChromium() : findChromium();
    if (!path) throw new Error(missingMessage());
    console.log(path);
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}

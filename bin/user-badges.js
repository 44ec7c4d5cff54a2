#!/usr/bin/env node
// The command-line entry: runs the compiled CLI (`npm run build` makes it; `npm install` builds).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/server/cli/main.js', import.meta.url);
if (!existsSync(cli)) {
  console.error('user-badges: dist/ is missing; run "npm run build" first');
  process.exit(1);
}
const { main } = await import(cli.href);
main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`user-badges: ${error.message}`);
    process.exit(1);
  },
);

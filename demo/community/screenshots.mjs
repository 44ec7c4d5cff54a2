#!/usr/bin/env node
/**
 * Screenshots of the cross-origin demo in headless Chromium, to look at: the forum thread and a
 * profile, in English and Arabic, light and dark, 1280 px and 375 px wide.
 *
 *   node demo/community/screenshots.mjs http://localhost:3001 [out-folder] [filter]
 *
 * (with `npm run demo:community` running). Writes <page>-<lang>-<scheme>-<width>-<n>.png, the page
 * cut into screens (1000 px tall at 1280 px, 1300 px at 375 px) so that each can be looked at at
 * its real size; `filter` keeps the names that contain it. Needs puppeteer-core (a dev dependency of the test runner)
 * and the system Chromium (scripts/find-chromium.mjs).
 */
import { mkdirSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { findChromium } from '../../scripts/find-chromium.mjs';

const [site = 'http://localhost:3001', out = 'screenshots', filter = ''] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await puppeteer.launch({ executablePath: findChromium(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'] });
try {
  for (const [page, path] of [['forum', '/forum'], ['profile', '/profile/kenji']])
    for (const lang of ['en', 'ar'])
      for (const scheme of ['light', 'dark'])
        for (const width of [1280, 375]) {
          const name = `${page}-${lang}-${scheme}-${width}`;
          if (!name.includes(filter)) continue;
          const tab = await browser.newPage();
          await tab.setViewport({ width, height: width > 500 ? 900 : 780, deviceScaleFactor: 1 });
          await tab.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
          await tab.goto(`${site}${path}?lang=${lang}`, { waitUntil: 'networkidle0' });
          await tab.waitForFunction(() => [...document.querySelectorAll('user-badges')].every((e) => !['idle', 'loading'].includes(e.getAttribute('state') ?? 'idle')), { timeout: 15000 });
          await new Promise((r) => setTimeout(r, 300));
          const height = await tab.evaluate(() => document.documentElement.scrollHeight);
          const screen = width > 500 ? 1000 : 1300;
          for (let y = 0, n = 1; y < height; y += screen, n++)
            await tab.screenshot({ path: `${out}/${name}-${n}.png`, clip: { x: 0, y, width, height: Math.min(screen, height - y) }, captureBeyondViewport: true });
          await tab.close();
          console.log(name);
        }
} finally {
  await browser.close();
}

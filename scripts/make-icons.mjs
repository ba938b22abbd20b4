// Renders the app icon (public/favicon.svg's design) into the PNG icons the web app manifest needs for
// installation: 192 and 512 px, plus a 512 px maskable variant with the safe-zone padding. Uses the system
// Chromium through Playwright, so no image library is needed. Run: node scripts/make-icons.mjs
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { findChromium, INSTALL_HINT } from './find-chromium.mjs';

const OUT = fileURLToPath(new URL('../public/icons/', import.meta.url));
const MARK =
  '<path d="M6 22 L12 15 L16 18 L20 12" stroke="#fff" stroke-width="2.2" fill="none" stroke-linecap="round"/>' +
  '<path d="M20 12 L26 7 L26 17 Z" fill="#bcd0fb" opacity="0.9"/>' +
  '<path d="M20 12 L26 11" stroke="#fff" stroke-width="2" stroke-linecap="round"/>';
const ROUNDED = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="8" fill="#2563eb"/>${MARK}</svg>`;
// Maskable: full-bleed background, the mark scaled into the central 80% safe zone.
const MASKABLE = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="#2563eb"/><g transform="translate(3.2 3.2) scale(0.8)">${MARK}</g></svg>`;

const executablePath = findChromium();
if (!executablePath) throw new Error(INSTALL_HINT);
mkdirSync(OUT, { recursive: true });
const browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox'] });
const page = await browser.newPage();
for (const [file, svg, size] of [
  ['icon-192.png', ROUNDED, 192],
  ['icon-512.png', ROUNDED, 512],
  ['icon-maskable-512.png', MASKABLE, 512],
]) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`);
  await page.screenshot({ path: `${OUT}${file}`, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  console.log(`wrote public/icons/${file}`);
}
await browser.close();

// The sign-in page on a throttled 4 Mbit/s line (40 ms latency), three ways:
// the bundle uncompressed (as jhe served it before), compressed, and from
// the browser's cache on a second visit. Prints the bytes transferred and
// the times until the form can be used and until the console has hydrated.
// Usage: node bench/sign-in.mjs http://127.0.0.1:3000
import { chromium } from '@playwright/test';

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

async function visit(page, cdp) {
  let bytes = 0;
  const listener = (event) => { bytes += event.encodedDataLength; };
  cdp.on('Network.loadingFinished', listener);
  const start = Date.now();
  await page.goto(`${base}/accounts/login`, { waitUntil: 'commit' });
  await page.getByRole('button', { name: 'Log In' }).waitFor({ state: 'visible' });
  const usable = Date.now() - start;
  await page.waitForSelector('html[data-hydrated]', { timeout: 120_000 });
  const hydrated = Date.now() - start;
  cdp.off('Network.loadingFinished', listener);
  return { bytes, usable, hydrated };
}

const rows = [];
for (const [label, encoding] of [['uncompressed', 'identity'], ['compressed', null]]) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 40, downloadThroughput: 4_000_000 / 8, uploadThroughput: 1_000_000 / 8,
  });
  if (encoding) await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': encoding } });
  rows.push([`${label}, first visit`, await visit(page, cdp)]);
  if (!encoding) rows.push([`${label}, second visit (cached)`, await visit(page, cdp)]);
  await context.close();
}
await browser.close();
console.log('sign-in page on 4 Mbit/s, 40 ms:');
for (const [label, { bytes, usable, hydrated }] of rows) {
  console.log(`  ${label.padEnd(32)} ${(bytes / 1024).toFixed(0).padStart(6)} KiB  form usable ${(usable / 1000).toFixed(2)} s  hydrated ${(hydrated / 1000).toFixed(2)} s`);
}

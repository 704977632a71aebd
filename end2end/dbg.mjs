import { chromium } from '@playwright/test';
const base = 'http://127.0.0.1:3300';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless','--no-sandbox','--disable-gpu'] });
async function login(page, email) {
  await page.goto(base + '/accounts/login');
  await page.waitForSelector('html[data-hydrated]');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('Jhe1234!');
  await page.getByRole('button', { name: 'Log In' }).click();
  await page.waitForSelector('header .who');
  await page.waitForSelector('html[data-hydrated]');
}
const widest = () => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 8).map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)} ${e.textContent.slice(0,40)}`);
const p2 = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
await login(p2, 'mary@example.com');
await p2.goto(base + '/patients/40001'); await p2.waitForTimeout(1500);
console.log('patient', await p2.evaluate(widest));
await p2.screenshot({ path: '/tmp/dbg/patient.png', fullPage: true });
await browser.close();

import { test, expect } from './fixtures';

test('the console hydrates and a click reaches a server function', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'jhe console' })).toBeVisible();
  const check = page.getByRole('button', { name: 'Check server' });
  // Rendered disabled on the server: enabled only once the wasm has hydrated.
  await expect(check).toBeEnabled();
  await check.click();
  // The catalogue's size, read from the database by the server function
  // (at least the seeded 6 and 16; other journeys may have added more).
  const status = page.locator('output.status');
  await expect(status).toHaveText(/Server \d+\.\d+\.\d+ is up: \d+ data sources, \d+ data types\./);
  const [, sources, types] = (await status.textContent())!.match(/up: (\d+) data sources, (\d+) data types/)!;
  expect(Number(sources)).toBeGreaterThanOrEqual(6);
  expect(Number(types)).toBeGreaterThanOrEqual(16);
  await page.screenshot({ path: 'screenshots/console-home.png', fullPage: true });
});

test.describe('the content security policy', () => {
  // The browser reports each refusal on the console: here that is the outcome.
  test.use({ expectedConsole: ['Content Security Policy'] });

  test('hydrates the console but refuses a script the page did not send', async ({ page }) => {
    await page.goto('/');
    // Enabled only once the wasm has compiled and hydrated under the policy.
    await expect(page.getByRole('button', { name: 'Check server' })).toBeEnabled();
    const refused = await page.evaluate(() => new Promise<string>((resolve) => {
      document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective), { once: true });
      const script = document.createElement('script');
      script.textContent = 'window.injected = true';
      document.body.appendChild(script);
    }));
    expect(refused).toMatch(/^script-src/);
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
  });
});

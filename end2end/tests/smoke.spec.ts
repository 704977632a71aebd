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

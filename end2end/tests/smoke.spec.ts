import { test, expect } from './fixtures';

test('the console hydrates and a click reaches a server function', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'jhe console' })).toBeVisible();
  const check = page.getByRole('button', { name: 'Check server' });
  // Rendered disabled on the server: enabled only once the wasm has hydrated.
  await expect(check).toBeEnabled();
  await check.click();
  // The seeded catalogue, read from the database by the server function.
  await expect(page.locator('output.status')).toHaveText(/Server \d+\.\d+\.\d+ is up: 6 data sources, 16 data types\./);
  await page.screenshot({ path: 'screenshots/console-home.png', fullPage: true });
});

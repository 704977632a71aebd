import { test, expect } from './fixtures';
import { logIn } from './console';

test('the console hydrates and a click reaches a server function', async ({ page }) => {
  await logIn(page, 'mary@example.com');
  await page.waitForSelector('html[data-hydrated]');
  // A client-side navigation: the list comes from a server function.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Data Sources' }).click();
  await expect(page.getByRole('row', { name: /CareX/ })).toBeVisible();
  await expect(page).toHaveTitle('Data Sources · jhe');
});

test.describe('the content security policy', () => {
  // The browser reports each refusal on the console: here that is the outcome.
  test.use({ expectedConsole: ['Content Security Policy'] });

  test('hydrates the console but refuses a script the page did not send', async ({ page }) => {
    await page.goto('/accounts/login');
    // Set only once the wasm has compiled and hydrated under the policy.
    await page.waitForSelector('html[data-hydrated]');
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

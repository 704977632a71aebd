import { test, expect } from './fixtures';
import type { Page } from '@playwright/test';

async function signInAtProvider(page: Page, email: string) {
  await page.goto('/accounts/login');
  const sso = page.getByRole('link', { name: 'Log in with Test Provider' });
  await expect(sso).toBeVisible();
  await sso.click();
  // oidc-provider's development pages: any login, then consent.
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

test.describe('single sign-on with an external OpenID provider', () => {
  test('a practitioner whose email the provider verified is signed in', async ({ page }) => {
    await signInAtProvider(page, 'mary@example.com');
    await expect(page).toHaveURL(/127\.0\.0\.1:3000\/$/);
    await expect(page.locator('header .who')).toHaveText('mary@example.com');
    await page.screenshot({ path: 'screenshots/sso-signed-in.png', fullPage: true });
  });

  test('an email with no jhe account is refused with a clear message', async ({ page }) => {
    await signInAtProvider(page, 'stranger@example.com');
    await expect(page).toHaveURL(/\/accounts\/login\?error=/);
    await expect(page.getByRole('alert')).toHaveText(
      'No jhe account uses stranger@example.com. Ask an administrator to add you, then log in again.',
    );
    await expect(page.locator('header .who')).toHaveCount(0);
  });
});

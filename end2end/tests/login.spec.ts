import { test, expect } from './fixtures';

test.describe('logging in and out', () => {
  test.use({ expectedStatuses: [401] });

  test('a wrong password is refused; the right one signs in; Log Out signs out', async ({ page }) => {
    await page.goto('/accounts/login');
    await expect(page.getByRole('heading', { name: 'Log In' })).toBeVisible();
    const submit = page.getByRole('button', { name: 'Log In' });
    await expect(submit).toBeEnabled();

    await page.getByLabel('Email').fill('mary@example.com');
    await page.getByLabel('Password').fill('not her password');
    await submit.click();
    await expect(page.getByRole('alert')).toHaveText('invalid email or password');

    await page.getByLabel('Password').fill('Jhe1234!');
    await submit.click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.locator('header .who')).toHaveText('mary@example.com');
    await page.screenshot({ path: 'screenshots/signed-in.png', fullPage: true });

    await page.getByRole('button', { name: 'Log Out' }).click();
    await expect(page).toHaveURL(/\/accounts\/login$/);
    await expect(page.getByRole('link', { name: 'Log In', exact: true })).toBeVisible();
    await page.goto('/');
    await expect(page.locator('header .who')).toHaveCount(0);
  });
});

import { test, expect } from './fixtures';
import { logIn, logOut } from './console';

test('Back after Log Out shows no patient data', async ({ page }) => {
  await logIn(page, 'mary@example.com');
  await page.goto('/patients/40001');
  await expect(page.getByRole('heading', { name: 'Peter Pham', exact: true })).toBeVisible();
  await logOut(page);
  await page.goBack();
  // The page is asked for again (never stored), and the server wants a sign-in.
  await expect(page).toHaveURL(/\/accounts\/login\?next=%2Fpatients%2F40001$/);
  await expect(page.getByText('Peter Pham')).toHaveCount(0);
});

test('a signed-out deep link goes through sign-in and back to the link', async ({ page }) => {
  await page.goto('/observations?sort=oldest');
  await expect(page).toHaveURL(/\/accounts\/login\?next=%2Fobservations%3Fsort%3Doldest$/);
  await expect(page.getByRole('button', { name: 'Add Study' })).toHaveCount(0);
  await page.getByLabel('Email').fill('mary@example.com');
  await page.getByLabel('Password').fill('Jhe1234!');
  await page.getByRole('button', { name: 'Log In' }).click();
  await expect(page).toHaveURL(/\/observations\?sort=oldest$/);
  await expect(page.getByRole('columnheader', { name: 'Time' })).toHaveAttribute('aria-sort', 'ascending');
});

test.describe('without the console script', () => {
  test.use({ javaScriptEnabled: false });

  test('sign-in works as a plain form, wrong password included', async ({ page }) => {
    await page.goto('/studies');
    await page.getByLabel('Email').fill('mary@example.com');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log In' }).click();
    await expect(page.getByRole('alert')).toContainText(/password/i);
    await page.getByLabel('Email').fill('mary@example.com');
    await page.getByLabel('Password').fill('Jhe1234!');
    await page.getByRole('button', { name: 'Log In' }).click();
    // Signed in: the gate lets the page through (signed out, it would send
    // the browser back to Log In). Its data streams in for the script, which
    // this browser does not run.
    await expect(page).toHaveURL(/\/studies$/);
    await expect(page.getByRole('heading', { name: 'Studies', level: 1 })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Log In' })).toHaveCount(0);
  });
});

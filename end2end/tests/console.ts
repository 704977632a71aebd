import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** Signs in through the Log In page and waits for the console. */
export async function logIn(page: Page, email: string, password = 'Jhe1234!') {
  await page.goto('/accounts/login');
  // Sign-in works before the console's script too; wait for it so the
  // journey after runs in the hydrated console.
  await page.waitForSelector('html[data-hydrated]');
  const submit = page.getByRole('button', { name: 'Log In' });
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await submit.click();
  await expect(page.locator('header .who')).toHaveText(email);
  await page.waitForSelector('html[data-hydrated]');
}

export async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/accounts\/login$/);
}

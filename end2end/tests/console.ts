import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** Signs in through the Log In page and waits for the console. */
export async function logIn(page: Page, email: string, password = 'Jhe1234!') {
  await page.goto('/accounts/login');
  const submit = page.getByRole('button', { name: 'Log In' });
  await expect(submit).toBeEnabled();
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await submit.click();
  await expect(page.locator('header .who')).toHaveText(email);
}

export async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/accounts\/login$/);
}

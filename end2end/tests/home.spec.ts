import { test, expect } from './fixtures';
import { logIn } from './console';

test('each role lands on its own home', async ({ page }) => {
  await logIn(page, 'sam@example.com');
  await expect(page).toHaveTitle('Home · jhe');
  await expect(page.getByRole('link', { name: /\d+ data sources/ })).toBeVisible();
  const studies = page.getByRole('region', { name: 'Studies' });
  await expect(studies.getByRole('link', { name: 'Lifespan Study on BP & HR' })).toHaveAttribute('href', '/studies?view=30001');
  await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Home' })).toHaveAttribute('aria-current', 'page');
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/accounts\/login$/);

  await logIn(page, 'mary@example.com');
  await expect(page.getByRole('region', { name: 'Studies' }).getByRole('link', { name: 'Lifespan Study on BP', exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Waiting for consent' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Latest data' })).toBeVisible();
  await page.getByRole('button', { name: 'Log Out' }).click();
  await expect(page).toHaveURL(/\/accounts\/login$/);

  await logIn(page, 'peter@example.com');
  await expect(page.getByRole('heading', { name: /^Welcome/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'My Consents' }).first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Latest data' })).toBeVisible();
});

import { test, expect } from './fixtures';
import { tokenFor } from './jhe';

test('an invitation link opened in a clean browser signs the patient in', async ({ page, request, baseURL }) => {
  const mary = tokenFor('mary@example.com');
  const created = await request.post('/api/v1/invitation', {
    headers: { Authorization: `Bearer ${mary}` },
    data: { patient_id: 40001, client_id: 1, send_email: false },
  });
  expect(created.status()).toBe(201);
  const { token } = await created.json();
  const host = encodeURIComponent(new URL(baseURL!).host);

  await page.goto(`/invitation/${host}_${token}`);
  await expect(page.getByRole('heading', { name: 'You are invited' })).toBeVisible();
  const proceed = page.getByRole('button', { name: 'Continue' });
  await expect(proceed).toBeEnabled();
  await proceed.click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.locator('header .who')).toHaveText('peter@example.com');
  await page.screenshot({ path: 'screenshots/invitation-signed-in.png', fullPage: true });
});

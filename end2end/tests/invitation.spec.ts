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
  // Signed in as the patient, on the consent view.
  await expect(page).toHaveURL(/\/consent$/);
  await expect(page.locator('header .who')).toHaveText('peter@example.com');
  await expect(page.getByRole('heading', { name: 'Studies Pending Consent' })).toBeVisible();
  const pending = page.getByRole('group', { name: 'Lifespan Study on BP', exact: true });
  await pending.getByLabel('Blood pressure').check();
  await pending.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Nothing is waiting for an answer.')).toBeVisible();
  await page.screenshot({ path: 'screenshots/invitation-signed-in.png', fullPage: true });
});

import { test, expect } from './fixtures';
import { logIn } from './console';

test('mary generates an invitation link; opened in a clean browser it signs the patient in', async ({ browser }) => {
  const manager = await (await browser.newContext()).newPage();
  await logIn(manager, 'mary@example.com');
  await manager.goto('/patients/40001');
  const invitations = manager.getByRole('region', { name: 'Invitations' });
  await invitations.getByLabel('Patient app').selectOption({ label: 'CareX' });
  await invitations.getByRole('button', { name: 'Generate Invitation Link' }).click();
  const linkField = invitations.getByLabel('Invitation link (shown once)');
  await expect(linkField).toHaveValue(/^https:\/\/carex\.ai\/invitation\//);
  await invitations.getByRole('button', { name: 'Copy' }).click();
  await expect(invitations.getByRole('button', { name: 'Copied' })).toBeVisible();
  await expect(invitations.getByRole('table', { name: 'Invitation history' }).getByRole('row', { name: /CareX issued/ })).toHaveCount(1);
  await manager.screenshot({ path: 'screenshots/patient-invitation.png', fullPage: true });
  const code = (await linkField.inputValue()).split('/invitation/')[1];

  const page = await (await browser.newContext()).newPage();
  await page.goto(`/invitation/${code}`);
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
  await expect(page.getByRole('status')).toContainText('Saved for Lifespan Study on BP: shared Blood pressure');
  // Answered now (other journeys may add requests to other studies meanwhile).
  await expect(page.getByRole('group', { name: 'Lifespan Study on BP', exact: true }).getByLabel(/Blood pressure.*Shared since.*by you/)).toBeChecked();
  await page.screenshot({ path: 'screenshots/invitation-signed-in.png', fullPage: true });
});

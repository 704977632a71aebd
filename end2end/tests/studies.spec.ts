import { test, expect } from './fixtures';
import { logIn } from './console';

test('a manager creates a study, edits it, enrols and unenrols a patient, picks a client, and deletes it after confirming', async ({ page }) => {
  const name = `Sleep Study ${Date.now().toString(36)}`;
  await logIn(page, 'mary@example.com');
  await page.getByRole('link', { name: 'Studies' }).click();
  await page.getByRole('button', { name: 'Add Study' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add Study' });
  await dialog.getByLabel('Organization').selectOption({ label: 'Lifespan Lab' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Description').fill('Nightly sleep duration');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toHaveCount(0);

  const card = () => page.getByRole('article', { name, exact: true });
  await expect(card().getByText('Lifespan Lab · Nightly sleep duration')).toBeVisible();
  await card().getByRole('button', { name: 'Edit' }).click();
  await card().getByLabel('Description').fill('Nightly sleep duration and stages');
  await card().getByRole('button', { name: 'Save' }).click();
  await expect(card().getByText('Lifespan Lab · Nightly sleep duration and stages')).toBeVisible();

  const patients = card().getByRole('group', { name: 'Patients' });
  await expect(patients.getByText('No patients enrolled.')).toBeVisible();
  await patients.getByLabel('Patient').selectOption({ label: 'Pamela Price' });
  await patients.getByRole('button', { name: 'Enrol' }).click();
  await expect(patients.getByRole('link', { name: 'Pamela Price' })).toBeVisible();
  await page.reload();
  await expect(patients.getByRole('link', { name: 'Pamela Price' })).toBeVisible();

  const clients = card().getByRole('group', { name: 'Clients' });
  await clients.getByLabel('Patient app').selectOption({ label: 'CareX' });
  await clients.getByRole('button', { name: 'Add client' }).click();
  await expect(clients.getByText('CareX')).toBeVisible();
  await page.screenshot({ path: 'screenshots/studies.png', fullPage: true });
  await clients.getByRole('button', { name: 'Remove CareX' }).click();
  await expect(clients.getByRole('button', { name: 'Remove CareX' })).toHaveCount(0);

  await patients.getByRole('button', { name: 'Unenrol Pamela Price' }).click();
  await expect(patients.getByText('No patients enrolled.')).toBeVisible();

  await card().getByRole('button', { name: 'Delete' }).click();
  await card().getByRole('alertdialog', { name: 'Confirm deletion' }).getByRole('button', { name: 'Delete' }).click();
  await expect(card()).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Lifespan Study on BP', exact: true })).toBeVisible();
  await expect(card()).toHaveCount(0);
});

test('a viewer sees studies without controls to change them', async ({ page }) => {
  await logIn(page, 'victor@example.com');
  await page.goto('/studies');
  const study = page.getByRole('article', { name: 'Lifespan Study on BP', exact: true });
  await expect(study.getByRole('group', { name: 'Patients' })).toBeVisible();
  await expect(study.getByRole('button', { name: /^(Edit|Delete|Enrol|Unenrol)/ })).toHaveCount(0);
});

import { test, expect } from './fixtures';
import { logIn } from './console';

test('a manager creates a study, edits it, enrols and unenrols a patient, picks a client, and deletes it after confirming', async ({ page }) => {
  const name = `Sleep Study ${Date.now().toString(36)}`;
  await logIn(page, 'mary@example.com');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Studies' }).click();
  await page.getByRole('button', { name: 'Add Study' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add Study' });
  await dialog.getByLabel('Organization').selectOption({ label: 'Lifespan Lab' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Description').fill('Nightly sleep duration');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toHaveCount(0);
  // The new study opens, with a message naming its id.
  await expect(page.getByRole('status')).toContainText(/Study created \(id \d+\)/);

  const card = () => page.getByRole('dialog', { name, exact: true }).getByRole('article', { name, exact: true });
  await expect(card().getByText(/ID \d+ · Lifespan Lab · Nightly sleep duration$/)).toBeVisible();
  await card().getByRole('button', { name: 'Edit' }).click();
  await card().getByLabel('Description').fill('Nightly sleep duration and stages');
  await card().getByRole('button', { name: 'Save' }).click();
  await expect(card().getByText(/Lifespan Lab · Nightly sleep duration and stages$/)).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Study saved.');

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
  await expect(page.getByRole('status')).toHaveText('Study deleted.');
  await page.reload();
  await expect(page.getByRole('button', { name: 'View Lifespan Study on BP', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: `View ${name}` })).toHaveCount(0);
});

test('a manager removes a study\'s data source and scope request; an unsupported request stays flagged', async ({ page }) => {
  await logIn(page, 'mary@example.com');
  await page.goto('/studies?view=30002');
  const study = page.getByRole('dialog', { name: 'Lifespan Study on BP', exact: true }).getByRole('article');
  const requests = study.getByRole('group', { name: 'Scope Requests' });
  await requests.getByLabel('Data type').selectOption({ label: 'Oxygen saturation (omh:oxygen-saturation:2.0)' });
  await expect(requests.getByText('None of this study\'s data sources supports this data type.')).toBeVisible();
  await requests.getByRole('button', { name: 'Add' }).click();
  const added = requests.getByRole('listitem').filter({ hasText: 'Oxygen saturation' });
  await expect(added).toContainText('no data source of this study supports it');
  await page.reload();
  await expect(added).toContainText('no data source of this study supports it');
  await added.getByRole('button', { name: 'Remove Oxygen saturation' }).click();
  await expect(added).toHaveCount(0);

  const sources = study.getByRole('group', { name: 'Data Sources' });
  const first = sources.getByRole('listitem').first();
  const sourceName = (await first.locator('span').first().textContent())!;
  await first.getByRole('button', { name: `Remove ${sourceName}` }).click();
  await expect(sources.getByRole('listitem').filter({ hasText: sourceName })).toHaveCount(0);
  // Put it back for the other journeys.
  await sources.getByLabel('Data source').selectOption({ label: sourceName });
  await sources.getByRole('button', { name: 'Add' }).click();
  await expect(sources.getByRole('listitem').filter({ hasText: sourceName })).toBeVisible();
});

test('a viewer sees studies without controls to change them', async ({ page }) => {
  await logIn(page, 'victor@example.com');
  await page.goto('/studies');
  await page.getByRole('button', { name: 'View Lifespan Study on BP', exact: true }).click();
  const study = page.getByRole('article', { name: 'Lifespan Study on BP', exact: true });
  await expect(study.getByRole('group', { name: 'Patients' })).toBeVisible();
  await expect(study.getByRole('button', { name: /^(Edit|Delete|Enrol|Unenrol)/ })).toHaveCount(0);
});

import { test, expect } from './fixtures';
import { logIn } from './console';
import { tokenFor } from './jhe';

test('mary finds patients by search across pages, adds one and edits them; filters survive reload', async ({ page, request }) => {
  // 21 patients of her organization with a shared, unusual family name.
  const mary = { Authorization: `Bearer ${tokenFor('mary@example.com')}` };
  const stamp = Date.now().toString(36);
  for (let i = 1; i <= 21; i++) {
    const created = await request.post('/api/v1/patients', {
      headers: mary,
      data: { telecomEmail: `paging-${stamp}-${i}@example.com`, nameGiven: `P${String(i).padStart(2, '0')}`, nameFamily: `Zed${stamp}`, organizationId: 20003 },
    });
    expect(created.status(), await created.text()).toBe(201);
  }

  await logIn(page, 'mary@example.com');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Patients' }).click();
  await expect(page.getByRole('heading', { name: 'Patients' })).toBeVisible();
  await page.getByRole('searchbox', { name: 'Search' }).fill(`zed${stamp}`);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.getByText('Page 1 of 2 · 21 patients')).toBeVisible();
  await expect(page.locator('tbody tr')).toHaveCount(20);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('Page 2 of 2 · 21 patients')).toBeVisible();
  await expect(page.locator('tbody tr')).toHaveCount(1);
  await expect(page.getByRole('link', { name: `P21 Zed${stamp}` })).toBeVisible();
  await page.reload();
  await expect(page.getByText('Page 2 of 2 · 21 patients')).toBeVisible();
  await expect(page.getByRole('searchbox', { name: 'Search' })).toHaveValue(`zed${stamp}`);
  await page.screenshot({ path: 'screenshots/patients.png', fullPage: true });

  // Narrowed to a study the new patients are not in: none match.
  await page.getByLabel('Study').selectOption({ label: 'Lifespan Study on BP' });
  await expect(page.getByText(/^No patients match these filters/)).toBeVisible();
  await expect(page).toHaveURL(/study=30002/);

  // A new patient through the form (the study chosen above is remembered: back to all).
  await page.goto('/patients');
  await expect(page).toHaveURL(/study=30002/);
  await page.getByLabel('Study').selectOption({ label: 'All studies' });
  await expect(page).not.toHaveURL(/study=/);
  await page.getByRole('button', { name: 'Add Patient' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add Patient' });
  await dialog.getByLabel('Email').fill(`new-${stamp}@example.com`);
  await dialog.getByLabel('Given name').fill('Nora');
  await dialog.getByLabel('Family name').fill(`New${stamp}`);
  await dialog.getByLabel('Birth date').fill('1980-02-29');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(dialog).toHaveCount(0);
  await page.getByRole('searchbox', { name: 'Search' }).fill(`new-${stamp}@`);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: `Nora New${stamp}` }).click();
  await expect(page.getByRole('heading', { name: `Nora New${stamp}`, exact: true })).toBeVisible();
  await expect(page.getByText('1980-02-29')).toBeVisible();

  // Edit: the phone number, kept across a reload.
  await page.getByRole('button', { name: 'Edit' }).click();
  const edit = page.getByRole('dialog', { name: 'Edit Patient' });
  await edit.getByLabel('Phone').fill('+1 555 0100');
  await edit.getByRole('button', { name: 'Save' }).click();
  await expect(edit).toHaveCount(0);
  await expect(page.getByText('+1 555 0100')).toBeVisible();
  await page.reload();
  await expect(page.getByText('+1 555 0100')).toBeVisible();
  await page.screenshot({ path: 'screenshots/patient.png', fullPage: true });
});

test('a viewer sees a patient without edit or invitation controls', async ({ page }) => {
  await logIn(page, 'victor@example.com');
  await page.goto('/patients/40001');
  await expect(page.getByRole('heading', { name: 'Peter' , exact: false }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Generate Invitation Link' })).toHaveCount(0);
});

test('the patient list reopens on the organization and study chosen last time', async ({ page }) => {
  await logIn(page, 'megan@example.com');
  await page.goto('/patients');
  await page.getByLabel('Study').selectOption({ label: 'Lifespan Study on BP & HR' });
  await expect(page).toHaveURL(/study=30001/);
  await page.goto('/studies');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Patients' }).click();
  await expect(page).toHaveURL(/study=30001/);
  await expect(page.getByLabel('Study')).toHaveValue('30001');
  // Choosing "All studies" is remembered too.
  await page.getByLabel('Study').selectOption({ label: 'All studies' });
  await expect(page).not.toHaveURL(/study=/);
  await page.goto('/patients');
  await expect(page.getByRole('link', { name: /Peter/ })).toBeVisible();
  await expect(page).not.toHaveURL(/study=/);
});

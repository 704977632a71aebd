import type { APIRequestContext } from '@playwright/test';
import { test, expect } from './fixtures';
import { logIn } from './console';
import { tokenFor } from './jhe';

/** A practitioner of this test's own, outside every organization. */
async function newPractitioner(request: APIRequestContext, given: string, family: string): Promise<string> {
  const sam = { Authorization: `Bearer ${tokenFor('sam@example.com')}` };
  const email = `${given.toLowerCase()}.${Date.now()}@example.com`;
  const created = await request.post('/api/v1/practitioners', { headers: sam, data: { telecomEmail: email, nameGiven: given, nameFamily: family } });
  expect(created.status()).toBe(201);
  return email;
}

test.describe('organizations', () => {
  test('Mary sees her organizations as a tree; the chosen one survives a reload', async ({ page }) => {
    await logIn(page, 'mary@example.com');
    await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Organizations' }).click();
    await expect(page).toHaveURL(/\/organizations$/);
    const tree = page.getByRole('navigation', { name: 'Your organizations' });
    // Lifespan Lab sits inside Saturn School, inside the Planetary Research Institute.
    const institute = tree.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Planetary Research Institute', exact: true }) });
    await expect(institute.getByRole('listitem').filter({ hasText: 'Saturn School of Data Science' }).getByRole('link', { name: 'Lifespan Lab' })).toBeVisible();
    await expect(tree).toContainText('Lifespan Lab (Laboratory)');
    await expect(tree.getByRole('link', { name: 'Neptune Health System' })).toHaveCount(0);
    await expect(page.getByText('Choose an organization to see its members and studies.')).toBeVisible();

    await tree.getByRole('link', { name: 'Lifespan Lab' }).click();
    await expect(page).toHaveURL(/\/organizations\?org=20003$/);
    const detail = page.getByRole('region', { name: 'Selected organization' });
    await expect(detail.getByRole('heading', { name: 'Lifespan Lab' })).toBeVisible();
    await expect(detail.getByRole('row').filter({ hasText: 'megan@example.com' })).toBeVisible();
    await expect(detail.getByRole('list', { name: 'Studies' })).toContainText('Lifespan Study on BP & HR');

    await page.reload();
    await expect(detail.getByRole('heading', { name: 'Lifespan Lab' })).toBeVisible();
    await expect(tree.getByRole('link', { name: 'Lifespan Lab' })).toHaveAttribute('aria-current', 'page');
    await expect(detail.getByRole('row').filter({ hasText: 'victor@example.com' }).getByRole('combobox')).toHaveValue('viewer');
  });

  test('Mary adds a member by email, changes the role and removes them after confirming', async ({ page, request }) => {
    const email = await newPractitioner(request, 'Olga', 'Orbit');
    await logIn(page, 'mary@example.com');
    await page.goto('/organizations?org=20003');
    const detail = page.getByRole('region', { name: 'Selected organization' });
    await detail.getByRole('button', { name: 'Add Member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Member' });
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(dialog.getByRole('alert')).toHaveText("Enter the practitioner's email.");
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByLabel('Role').selectOption('viewer');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(dialog).toHaveCount(0);

    const row = detail.getByRole('row').filter({ hasText: email });
    await expect(row).toContainText('Olga Orbit');
    const role = row.getByRole('combobox', { name: 'Role of Olga Orbit' });
    await expect(role).toHaveValue('viewer');
    await Promise.all([
      page.waitForResponse((r) => r.url().includes('/console/api/set_member_role') && r.ok()),
      role.selectOption('member'),
    ]);
    await page.reload();
    await expect(role).toHaveValue('member');
    await page.screenshot({ path: 'screenshots/organizations.png', fullPage: true });

    await row.getByRole('button', { name: 'Remove' }).click();
    const confirm = detail.getByRole('alertdialog', { name: 'Confirm removal' });
    await expect(confirm).toContainText('Remove Olga Orbit from Lifespan Lab?');
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await expect(confirm).toHaveCount(0);
    await expect(row).toHaveCount(1);
    await row.getByRole('button', { name: 'Remove' }).click();
    await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
    await expect(row).toHaveCount(0);
    await page.reload();
    await expect(detail.getByRole('heading', { name: 'Lifespan Lab' })).toBeVisible();
    await expect(row).toHaveCount(0);
  });

  test('Mary adds a sub-organization, which opens inside Lifespan Lab', async ({ page }) => {
    const name = `Orbit Team ${Date.now()}`;
    await logIn(page, 'mary@example.com');
    await page.goto('/organizations?org=20003');
    const detail = page.getByRole('region', { name: 'Selected organization' });
    await detail.getByRole('button', { name: 'Add Sub-organization' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Sub-organization' });
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('Choose a type.');
    await dialog.getByLabel('Type').selectOption({ label: 'Organizational team' });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toHaveCount(0);
    await expect(detail.getByRole('heading', { name })).toBeVisible();
    await expect(page).toHaveURL(/\/organizations\?org=\d+$/);
    await expect(detail).toContainText('Organizational team · your role: Manager');
    const lab = page.getByRole('navigation', { name: 'Your organizations' }).getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Lifespan Lab' }) });
    await expect(lab.getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
  });

  test('a viewer and a member see the lists without controls', async ({ page }) => {
    for (const email of ['victor@example.com', 'megan@example.com']) {
      await logIn(page, email);
      await page.goto('/organizations?org=20003');
      const detail = page.getByRole('region', { name: 'Selected organization' });
      await expect(detail.getByRole('heading', { name: 'Lifespan Lab' })).toBeVisible();
      await expect(detail.getByRole('row').filter({ hasText: 'mary@example.com' })).toContainText('Manager');
      await expect(detail.getByRole('list', { name: 'Studies' })).toContainText('Lifespan Study on BP');
      await expect(detail.getByRole('button')).toHaveCount(0);
      await expect(detail.getByRole('combobox')).toHaveCount(0);
      await page.getByRole('button', { name: 'Log Out' }).click();
      await expect(page).toHaveURL(/\/accounts\/login$/);
    }
  });
});

test.describe('organization refusals', () => {
  test.use({ expectedStatuses: [404] });

  test('adding an email that is no practitioner shows the refusal', async ({ page }) => {
    await logIn(page, 'mary@example.com');
    await page.goto('/organizations?org=20003');
    await page.getByRole('button', { name: 'Add Member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Member' });
    await dialog.getByLabel('Email').fill('nobody.here@example.com');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(dialog.getByRole('alert')).toHaveText('No practitioner has the email nobody.here@example.com.');
    await dialog.getByLabel('Email').fill('peter@example.com');
    await dialog.getByRole('button', { name: 'Add', exact: true }).click();
    await expect(dialog.getByRole('alert')).toContainText('Practitioner not found');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(dialog).toHaveCount(0);
  });
});

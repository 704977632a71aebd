import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { logIn } from './console';

const nav = (page: Page) => page.getByRole('navigation', { name: 'Console' });

test.describe('administration', () => {
  test('Sam adds a practitioner and deactivates them; the account can then no longer log in', async ({ page, browser }) => {
    const email = `paula.${Date.now()}@example.com`;
    const password = 'Orbit-2468!';
    await logIn(page, 'sam@example.com');
    await nav(page).getByRole('link', { name: 'Practitioners' }).click();
    await expect(page.getByRole('heading', { name: 'Practitioners' })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: 'mary@example.com' })).toContainText('Lifespan Lab');

    await page.getByRole('button', { name: 'Add Practitioner' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Practitioner' });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('Enter an email.');
    await dialog.getByLabel('Email').fill(email);
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('Enter a given name.');
    await dialog.getByLabel('Given name').fill('Paula');
    await dialog.getByLabel('Family name').fill('Pluto');
    await dialog.getByLabel('Password').fill(password);
    await expect(dialog.getByLabel('Role')).toBeDisabled();
    await dialog.getByLabel('Organization').selectOption({ label: 'Lifespan Lab' });
    await dialog.getByLabel('Role').selectOption('viewer');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toHaveCount(0);

    const row = page.getByRole('row').filter({ hasText: email });
    await expect(row).toContainText('Paula Pluto');
    await expect(row).toContainText('Lifespan Lab');
    await expect(row.getByRole('cell', { name: 'Yes', exact: true })).toBeVisible();

    // The new account signs in while active.
    const first = await browser.newContext();
    await logIn(await first.newPage(), email, password);
    await first.close();

    await row.getByRole('button', { name: 'Deactivate' }).click();
    await expect(row.getByRole('cell', { name: 'No', exact: true })).toBeVisible();
    await expect(row.getByRole('button', { name: 'Activate' })).toBeVisible();
    await page.reload();
    await expect(row.getByRole('cell', { name: 'No', exact: true })).toBeVisible();
    await page.screenshot({ path: 'screenshots/practitioners.png', fullPage: true });

    const second = await browser.newContext();
    const refused = await second.newPage();
    await refused.goto('/accounts/login');
    const submit = refused.getByRole('button', { name: 'Log In' });
    await expect(submit).toBeEnabled();
    await refused.getByLabel('Email').fill(email);
    await refused.getByLabel('Password').fill(password);
    await submit.click();
    await expect(refused.getByRole('alert')).toHaveText('invalid email or password');
    await expect(refused.locator('header .who')).toHaveCount(0);
    await second.close();
  });

  test('Sam adds a client and chooses its data sources', async ({ page }) => {
    const stamp = Date.now();
    const name = `Orbit Diary ${stamp}`;
    await logIn(page, 'sam@example.com');
    await nav(page).getByRole('link', { name: 'Clients' }).click();
    await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible();

    await page.getByRole('button', { name: 'Add Client' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Client' });
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Client ID').fill(`orbit-diary-${stamp}`);
    await dialog.getByLabel('Invitation URL').fill('https://diary.example.com/invite');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('The invitation URL must contain CODE, where the invitation code goes.');
    await dialog.getByLabel('Invitation URL').fill('https://diary.example.com/invite?code=CODE');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toHaveCount(0);

    const row = page.getByRole('row').filter({ hasText: name });
    await expect(row).toContainText(`orbit-diary-${stamp}`);
    await expect(row).toContainText('https://diary.example.com/invite?code=CODE');

    await row.getByRole('button', { name: 'Data Sources' }).click();
    const sources = page.getByRole('dialog', { name: 'Client Data Sources' });
    await expect(sources.getByRole('heading', { name: `Data Sources of ${name}` })).toBeVisible();
    await expect(sources).toContainText('This client reads no data source yet.');
    await expect(sources.getByRole('button', { name: 'Add' })).toBeDisabled();
    await sources.getByRole('combobox', { name: 'Data source' }).selectOption({ label: 'Dexcom' });
    await sources.getByRole('button', { name: 'Add' }).click();
    const linked = sources.getByRole('list', { name: 'Linked data sources' });
    await expect(linked.getByRole('listitem')).toHaveCount(1);
    await expect(linked.getByRole('listitem')).toContainText('Dexcom');
    await sources.getByRole('combobox', { name: 'Data source' }).selectOption({ label: 'Oura' });
    await sources.getByRole('button', { name: 'Add' }).click();
    await expect(linked.getByRole('listitem')).toHaveCount(2);
    await expect(row).toContainText('Dexcom, Oura');
    await page.screenshot({ path: 'screenshots/clients.png', fullPage: true });

    await linked.getByRole('button', { name: 'Remove Dexcom' }).click();
    await expect(linked.getByRole('listitem')).toHaveCount(1);
    await expect(linked).toContainText('Oura');
    await sources.getByRole('button', { name: 'Close' }).click();
    await expect(sources).toHaveCount(0);
    await page.reload();
    await expect(row.getByRole('cell', { name: 'Oura', exact: true })).toBeVisible();
  });
});

test.describe('settings', () => {
  test.use({ expectedStatuses: [400] });

  test('Sam adds a setting, changes its value and deletes it after confirming', async ({ page }) => {
    const key = `orbit.retries.${Date.now()}`;
    await logIn(page, 'sam@example.com');
    await nav(page).getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
    await expect(page.getByRole('row').filter({ hasText: 'jhe.demo_seed' })).toContainText('bool');

    await page.getByRole('button', { name: 'Add Setting' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add Setting' });
    await dialog.getByLabel('Key').fill(key);
    await dialog.getByLabel('Type').selectOption('int');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('Enter a value.');
    await dialog.getByLabel('Value').fill('three');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('value: "three" is not a valid int');
    await dialog.getByLabel('Value').fill('3');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await expect(dialog).toHaveCount(0);

    const row = page.getByRole('row').filter({ hasText: key });
    await expect(row.getByRole('cell').nth(1)).toHaveText('int');
    await expect(row.getByRole('cell').nth(2)).toHaveText('3');

    await row.getByRole('button', { name: 'Edit' }).click();
    const value = row.getByRole('textbox', { name: `Value of ${key}` });
    await expect(value).toHaveValue('3');
    await value.fill('5');
    await row.getByRole('button', { name: 'Save' }).click();
    await expect(value).toHaveCount(0);
    await expect(row.getByRole('cell').nth(2)).toHaveText('5');
    await page.reload();
    await expect(row.getByRole('cell').nth(2)).toHaveText('5');
    await page.screenshot({ path: 'screenshots/settings.png', fullPage: true });

    await row.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Confirm deletion' });
    await expect(confirm).toContainText(`Delete the setting ${key}?`);
    await confirm.getByRole('button', { name: 'Keep it' }).click();
    await expect(row).toHaveCount(1);
    await row.getByRole('button', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(row).toHaveCount(0);
    await page.reload();
    await expect(page.getByRole('row').filter({ hasText: 'jhe.demo_seed' })).toBeVisible();
    await expect(row).toHaveCount(0);
  });
});

test.describe('administration refusals', () => {
  test.use({ expectedStatuses: [403] });

  test('a practitioner who is no super user has no admin links and is refused', async ({ page }) => {
    await logIn(page, 'mary@example.com');
    await expect(nav(page).getByRole('link', { name: 'Organizations' })).toBeVisible();
    for (const link of ['Practitioners', 'Clients', 'Settings']) {
      await expect(nav(page).getByRole('link', { name: link })).toHaveCount(0);
    }
    await page.goto('/practitioners');
    await expect(page.getByRole('alert')).toHaveText('Only a super user may do this.');
    await expect(page.getByRole('button', { name: 'Add Practitioner' })).toHaveCount(0);
    await expect(page.getByRole('table')).toHaveCount(0);
    await page.goto('/settings');
    await expect(page.getByRole('alert')).toHaveText('Only a super user may do this.');
    await expect(page.getByRole('button', { name: 'Add Setting' })).toHaveCount(0);
    await page.goto('/clients');
    await expect(page.getByRole('heading', { name: 'Clients' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add Client' })).toHaveCount(0);
  });
});

test.describe('audit', () => {
  test('Sam reads the audit trail: who signed in and who read which patient\'s observations', async ({ page, browser }) => {
    // Mary opens Lifespan Study's observations: each patient shown is recorded.
    const mary = await browser.newContext();
    const maryPage = await mary.newPage();
    await logIn(maryPage, 'mary@example.com');
    await maryPage.goto('/observations?study=30001&patient=40001');
    await expect(maryPage.getByRole('region', { name: 'Observations list' }).getByRole('table')).toBeVisible();
    await mary.close();

    await logIn(page, 'sam@example.com');
    await nav(page).getByRole('link', { name: 'Audit' }).click();
    await expect(page.getByRole('heading', { name: 'Audit' })).toBeVisible();
    const events = page.getByRole('table', { name: 'Audit events' });
    // Newest first: Sam's own sign-in heads the trail.
    await expect(events.getByRole('row').nth(1)).toContainText('sam@example.com');
    await expect(events.getByRole('row').nth(1)).toContainText('login');

    await page.getByLabel('Action').selectOption('observation.read');
    await expect(page).toHaveURL(/\/audit\?action=observation\.read$/);
    const read = events.getByRole('row').filter({ hasText: 'mary@example.com' }).first();
    await expect(read).toContainText('observation.read');
    await expect(read).toContainText('"via":"observation list"');
    await page.getByLabel('Patient ID').fill('40001');
    await page.getByLabel('Patient ID').press('Tab');
    await expect(page).toHaveURL(/patient=40001/);
    await expect(events.getByRole('row').nth(1).getByRole('cell').nth(4)).toHaveText('40001');
    await page.screenshot({ path: 'screenshots/audit.png', fullPage: true });

    // The filters live in the URL: a reload shows the same list.
    await page.reload();
    await expect(page.getByLabel('Action')).toHaveValue('observation.read');
    await expect(events.getByRole('row').filter({ hasText: 'mary@example.com' }).first()).toBeVisible();
  });

});

test.describe('audit for others', () => {
  test.use({ expectedStatuses: [403] });

  test('the audit screen is for super users only', async ({ page }) => {
    await logIn(page, 'mary@example.com');
    await expect(nav(page).getByRole('link', { name: 'Audit' })).toHaveCount(0);
    await page.goto('/audit');
    await expect(page.getByRole('alert')).toContainText('Only super users may read the audit trail.');
    await expect(page.getByRole('table', { name: 'Audit events' })).toHaveCount(0);
  });
});

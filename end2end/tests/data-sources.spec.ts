import { test, expect } from './fixtures';
import { logIn } from './console';
import { tokenFor } from './jhe';

test('a super user edits a data source, removes a scope, and deletes it after confirming; the open modal survives reload', async ({ page, request }) => {
  const sam = { Authorization: `Bearer ${tokenFor('sam@example.com')}` };
  const name = `Ring ${Date.now().toString(36)}`;
  const created = await request.post('/api/v1/data_sources', { headers: sam, data: { name, type: 'personal_device' } });
  expect(created.status()).toBe(201);
  const id = (await created.json()).id;
  for (const scope of [50002, 50004]) {
    expect((await request.post(`/api/v1/data_sources/${id}/supported_scopes`, { headers: sam, data: { scope_code_id: scope } })).status()).toBe(201);
  }

  await logIn(page, 'sam@example.com');
  await page.goto('/data-sources');
  await page.getByRole('row', { name: new RegExp(name) }).getByRole('button', { name: 'View' }).click();
  await expect(page).toHaveURL(new RegExp(`/data-sources\\?view=${id}$`));
  await page.reload();
  const view = page.getByRole('dialog', { name: 'View Data Source' });
  await expect(view.getByRole('heading', { name })).toBeVisible();
  await page.screenshot({ path: 'screenshots/data-source.png', fullPage: true });

  // Remove one supported scope.
  const scopes = view.locator('ul.scopes li');
  await expect(scopes).toHaveCount(2);
  await view.getByRole('button', { name: 'Remove Heart Rate' }).click();
  await expect(scopes).toHaveCount(1);

  // Edit the name and type.
  await view.getByRole('button', { name: 'Edit' }).click();
  await view.getByLabel('Name', { exact: true }).fill(`${name} v2`);
  await view.locator('select[name="kind"]').selectOption({ label: 'Medical Device' });
  await view.getByRole('button', { name: 'Save' }).click();
  await expect(view.getByRole('heading', { name: `${name} v2` })).toBeVisible();
  await expect(view.getByText(`ID ${id} · Medical Device`)).toBeVisible();
  await expect(page.getByRole('status')).toHaveText('Data source saved.');

  // Delete asks first; "Keep it" keeps it.
  await view.getByRole('button', { name: 'Delete' }).click();
  const confirm = view.getByRole('alertdialog', { name: 'Confirm deletion' });
  await expect(confirm).toContainText(`Delete ${name} v2?`);
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toHaveCount(0);
  await view.getByRole('button', { name: 'Delete' }).click();
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(page).toHaveURL(/\/data-sources$/);
  await expect(page.getByRole('row', { name: new RegExp(name) })).toHaveCount(0);
  await expect(page.getByRole('status')).toHaveText('Data source deleted.');
  const gone = await request.get(`/api/v1/data_sources/${id}`, { headers: sam });
  expect(gone.status()).toBe(404);
});

test('a second data source with the same name is flagged before and after it is made', async ({ page, request }) => {
  const sam = { Authorization: `Bearer ${tokenFor('sam@example.com')}` };
  const name = `Band ${Date.now().toString(36)}`;
  const first = await request.post('/api/v1/data_sources', { headers: sam, data: { name, type: 'personal_device' } });
  const firstId = (await first.json()).id;
  await logIn(page, 'sam@example.com');
  await page.goto('/data-sources');
  await page.getByRole('button', { name: 'Add Data Source' }).click();
  const add = page.getByRole('dialog', { name: 'Add Data Source' });
  await add.getByLabel('Name').fill(name.toUpperCase());
  await expect(add.getByRole('status')).toHaveText(`A data source with this name exists already (id ${firstId}).`);
  await add.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByRole('status')).toContainText(`Another data source has the same name (id ${firstId})`);
  const secondId = (await page.getByRole('status').textContent())!.match(/created with id (\d+)/)![1];
  for (const id of [firstId, secondId]) {
    expect((await request.delete(`/api/v1/data_sources/${id}`, { headers: sam })).status()).toBe(204);
  }
});

test.describe('without the network', () => {
  test.use({ expectedConsole: ['ERR_INTERNET_DISCONNECTED', 'Failed to fetch'] });

  test('a failed load says so instead of "no such data source"', async ({ page }) => {
    await logIn(page, 'sam@example.com');
    await page.route('**/console/api/data_sources', (route) => route.abort('internetdisconnected'));
    // A link followed inside the console: its data comes over the network.
    await page.evaluate(() => {
      const link = document.createElement('a');
      link.href = '/data-sources?view=70001';
      link.textContent = 'deep link';
      document.querySelector('main')!.appendChild(link);
    });
    await page.getByRole('link', { name: 'deep link' }).click();
    const dialog = page.getByRole('dialog', { name: 'View Data Source' });
    await expect(dialog.getByRole('alert')).toHaveText('The server could not be reached. Check your connection and try again.');
    await expect(page.getByText('There is no data source')).toHaveCount(0);
  });
});

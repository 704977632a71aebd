import { test, expect } from './fixtures';
import { logIn, logOut } from './console';
import { tokenFor } from './jhe';

// The guide, end to end in the browser: a super user adds a data source and
// a data type, a manager puts them on a study, the patient consents, a
// device uploads, and the observation shows in the console.
test('add a data source and a data type, consent, upload, read back', async ({ page, request }) => {
  await logIn(page, 'sam@example.com');

  // Data type: step count 2.0 (a built-in Open mHealth schema, so no schema to paste).
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Data Types' }).click();
  await page.getByLabel('Code').fill('omh:step-count:2.0');
  await page.getByLabel('Text', { exact: true }).fill('Step Count');
  await page.getByRole('button', { name: 'Add Data Type' }).click();
  await expect(page.getByRole('status')).toContainText('added');
  await expect(page.getByRole('cell', { name: 'omh:step-count:2.0' })).toBeVisible();

  // Data source "Apple Watch" with its supported scopes.
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Data Sources' }).click();
  await page.getByRole('button', { name: 'Add Data Source' }).click();
  const add = page.getByRole('dialog', { name: 'Add Data Source' });
  await add.getByLabel('Name').fill('Apple Watch');
  await add.getByLabel('Type').selectOption('personal_device');
  await add.getByRole('button', { name: 'Create' }).click();
  await expect(add).toBeHidden();
  // "Note the generated ID": the message names it.
  const created = page.getByRole('status').filter({ hasText: 'Apple Watch' });
  await expect(created).toContainText(/Data source "Apple Watch" created with id \d+\./);
  const watchId = (await created.textContent())!.match(/created with id (\d+)/)![1];
  const row = page.getByRole('row', { name: new RegExp(`^${watchId} Apple Watch`) });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'View' }).click();
  const view = page.getByRole('dialog', { name: 'View Data Source' });
  await expect(view.getByRole('heading', { name: 'Supported Scopes' })).toBeVisible();
  for (const scope of ['Heart Rate (omh:heart-rate:2.0)', 'Step Count (omh:step-count:2.0)', 'Oxygen saturation (omh:oxygen-saturation:2.0)']) {
    await view.getByLabel('Data type').selectOption({ label: scope });
    await view.getByRole('button', { name: 'Add' }).click();
    await expect(view.getByRole('listitem').filter({ hasText: scope })).toBeVisible();
  }
  await view.getByRole('button', { name: 'Close' }).click();
  await expect(row).toContainText('Step Count');
  await page.screenshot({ path: 'screenshots/data-sources.png', fullPage: true });
  await logOut(page);

  // A manager adds the data source and a "Step Count" scope request to a study.
  await logIn(page, 'mary@example.com');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Studies' }).click();
  await page.getByRole('button', { name: 'View Lifespan Study on BP & HR' }).click();
  const study = page.getByRole('dialog', { name: 'Lifespan Study on BP & HR' }).getByRole('article', { name: 'Lifespan Study on BP & HR' });
  const sources = study.getByRole('group', { name: 'Data Sources' });
  await sources.getByLabel('Data source').selectOption(watchId);
  await sources.getByRole('button', { name: 'Add' }).click();
  await expect(sources.getByRole('listitem').filter({ hasText: 'Apple Watch' })).toBeVisible();
  const requests = study.getByRole('group', { name: 'Scope Requests' });
  await requests.getByLabel('Data type').selectOption({ label: 'Step Count (omh:step-count:2.0)' });
  await requests.getByRole('button', { name: 'Add' }).click();
  await expect(requests.getByRole('listitem').filter({ hasText: 'Step Count' })).toBeVisible();
  await page.screenshot({ path: 'screenshots/studies.png', fullPage: true });
  // The dialog is modal: close it before reaching the page's Log Out.
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Lifespan Study on BP & HR' })).toHaveCount(0);
  await logOut(page);

  // The patient consents under "Studies Pending Consent".
  await logIn(page, 'peter@example.com');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'My Consents' }).click();
  await expect(page.getByRole('heading', { name: 'Studies Pending Consent' })).toBeVisible();
  const pending = page.getByRole('group', { name: 'Lifespan Study on BP & HR' }).first();
  await pending.getByLabel('Step Count').check();
  await expect(pending.getByText('unticked ones are declined')).toBeVisible();
  await pending.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByRole('status')).toContainText('Saved for Lifespan Study on BP & HR: shared Step Count; declined');
  await expect(page.getByRole('group', { name: 'Lifespan Study on BP & HR' }).getByText(/Shared since .+ by you/).first()).toBeVisible();
  await expect(page.getByRole('group', { name: 'Lifespan Study on BP & HR' })).toHaveCount(1);
  await expect(page.getByRole('group', { name: 'Lifespan Study on BP & HR' }).getByLabel('Step Count')).toBeChecked();
  await page.screenshot({ path: 'screenshots/consent.png', fullPage: true });
  await logOut(page);

  // The device uploads through the FHIR API.
  const dataPoint = {
    header: {
      uuid: 'd9c46d90-4e36-4c3e-a331-28d7c2b84c4d',
      schema_id: { namespace: 'omh', name: 'step-count', version: '2.0' },
      source_creation_date_time: '2024-05-02T00:00:00Z',
    },
    body: {
      effective_time_frame: { time_interval: { start_date_time: '2024-05-02T00:00:00Z', end_date_time: '2024-05-02T23:59:59Z' } },
      step_count: 8725,
    },
  };
  // Other journeys may have added data sources first: look its id up.
  const catalogue = await request.get('/api/v1/data_sources?page_size=1000', { headers: { Authorization: `Bearer ${tokenFor('peter@example.com')}` } });
  const watch = (await catalogue.json()).results.find((s: { id: number }) => String(s.id) === watchId);
  const upload = await request.post('/fhir/r5/Observation', {
    headers: { Authorization: `Bearer ${tokenFor('peter@example.com')}` },
    data: {
      resourceType: 'Observation', status: 'final',
      code: { coding: [{ system: 'https://w3id.org/openmhealth', code: 'omh:step-count:2.0' }] },
      subject: { reference: 'Patient/40001' }, device: { reference: `Device/${watch.id}` },
      valueAttachment: { contentType: 'application/json', data: Buffer.from(JSON.stringify(dataPoint)).toString('base64') },
    },
  });
  expect(upload.status()).toBe(201);

  // The researcher reads it back in the console.
  await logIn(page, 'mary@example.com');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Observations' }).click();
  const uploaded = page.getByRole('row', { name: /Step Count/ }).filter({ hasText: '8725' }).first();
  await expect(uploaded).toContainText('May 2, 2024');
  await uploaded.getByRole('button', { name: /^View observation/ }).click();
  const drawer = page.getByRole('dialog', { name: /^Observation \d+/ });
  await expect(drawer.getByLabel('Data point JSON')).toContainText('"step_count": 8725');
  await page.screenshot({ path: 'screenshots/observations.png', fullPage: true });
});

test('the super user does the guide\'s "Studies → your study" step from Organizations', async ({ page }) => {
  await logIn(page, 'sam@example.com');
  await page.goto('/organizations?org=20003');
  await page.getByRole('link', { name: 'Lifespan Study on BP & HR' }).click();
  const study = page.getByRole('dialog', { name: 'Lifespan Study on BP & HR' });
  await expect(study.getByRole('group', { name: 'Scope Requests' })).toBeVisible();
  await expect(page).toHaveURL(/\/studies\?view=30001$/);
  await page.keyboard.press('Escape');
  await expect(study).toHaveCount(0);
  await expect(page).toHaveURL(/\/studies$/);
  await expect(page.getByRole('button', { name: 'View Lifespan Study on BP', exact: true })).toBeVisible();
});

test('non-super users see no Add Data Source', async ({ page }) => {
  await logIn(page, 'mary@example.com');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Data Sources' }).click();
  await expect(page.getByRole('row', { name: /CareX/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add Data Source' })).toHaveCount(0);
  await page.getByRole('row', { name: /CareX/ }).getByRole('button', { name: 'View' }).click();
  const view = page.getByRole('dialog', { name: 'View Data Source' });
  await expect(view.getByRole('heading', { name: 'CareX' })).toBeVisible();
  await expect(view.getByRole('button', { name: 'Add' })).toHaveCount(0);
  await expect(view.getByRole('button', { name: /^(Edit|Delete|Remove)/ })).toHaveCount(0);
});

import { test, expect } from './fixtures';
import { logIn } from './console';
import { tokenFor } from './jhe';

function heartRate(bpm: number, at: string) {
  const point = {
    header: {
      uuid: crypto.randomUUID(),
      schema_id: { namespace: 'omh', name: 'heart-rate', version: '2.0' },
      source_creation_date_time: at,
    },
    body: { heart_rate: { value: bpm, unit: 'beats/min' }, effective_time_frame: { date_time: at } },
  };
  return {
    request: { method: 'POST', url: 'Observation' },
    resource: {
      resourceType: 'Observation', status: 'final',
      code: { coding: [{ system: 'https://w3id.org/openmhealth', code: 'omh:heart-rate:2.0' }] },
      subject: { reference: 'Patient/40002' }, device: { reference: 'Device/70001' },
      valueAttachment: { contentType: 'application/json', data: Buffer.from(JSON.stringify(point)).toString('base64') },
    },
  };
}

test('a researcher filters observations by patient, type and dates, pages through them, charts and opens one', async ({ page, request }) => {
  // 30 heart rates of Pamela's in March 2024, one a day.
  const entries = Array.from({ length: 30 }, (_, i) => heartRate(60 + (i % 7) * 3, `2024-03-${String(i + 1).padStart(2, '0')}T07:30:00Z`));
  const uploaded = await request.post('/FHIR/R5', {
    headers: { Authorization: `Bearer ${tokenFor('mary@example.com')}` },
    data: { resourceType: 'Bundle', type: 'transaction', entry: entries },
  });
  expect(uploaded.status(), await uploaded.text()).toBe(200);

  await logIn(page, 'mary@example.com');
  await page.getByRole('link', { name: 'Observations' }).click();
  const filters = page.getByRole('form', { name: 'Filters' });
  await filters.getByLabel('Patient').selectOption({ label: 'Pamela Price' });
  await filters.getByLabel('Data type').selectOption({ label: 'Heart Rate' });
  await filters.getByLabel('From', { exact: true }).fill('2024-03-01');
  await filters.getByLabel('From', { exact: true }).dispatchEvent('change');
  await filters.getByLabel('To', { exact: true }).fill('2024-03-31');
  await filters.getByLabel('To', { exact: true }).dispatchEvent('change');
  await expect(page.getByText('Page 1 of 2 · 30 observations')).toBeVisible();
  await expect(page).toHaveURL(/patient=40002/);
  await expect(page.getByRole('img', { name: /^25 values from 2024-03-06/ })).toBeVisible();
  await page.screenshot({ path: 'screenshots/observations-chart.png', fullPage: true });

  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('Page 2 of 2 · 30 observations')).toBeVisible();
  await page.reload();
  await expect(page.getByText('Page 2 of 2 · 30 observations')).toBeVisible();
  const first = page.getByRole('row', { name: /2024-03-01T07:30:00/ });
  await expect(first).toContainText('CareX');
  await expect(first).toContainText('60 beats/min');
  await first.getByRole('button', { name: 'View' }).click();
  await expect(page.locator('pre')).toContainText('"date_time": "2024-03-01T07:30:00Z"');

  // A narrower date range.
  await filters.getByLabel('To', { exact: true }).fill('2024-03-10');
  await filters.getByLabel('To', { exact: true }).dispatchEvent('change');
  await expect(page.getByText('Page 1 of 1 · 10 observations')).toBeVisible();
});

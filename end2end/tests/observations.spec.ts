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
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Observations' }).click();
  await expect(page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Observations' })).toHaveAttribute('aria-current', 'page');
  const filters = page.getByRole('form', { name: 'Filters' });
  await filters.getByLabel('Patient').selectOption({ label: 'Pamela Price' });
  await filters.getByLabel('Data type').selectOption({ label: 'Heart Rate (omh:heart-rate:2.0)' });
  await filters.getByLabel('From', { exact: true }).fill('2024-03-01');
  await filters.getByLabel('From', { exact: true }).dispatchEvent('change');
  await filters.getByLabel('To', { exact: true }).fill('2024-03-31');
  await filters.getByLabel('To', { exact: true }).dispatchEvent('change');
  await expect(page.getByText('Page 1 of 2 · 30 observations')).toBeVisible();
  await expect(page).toHaveURL(/patient=40002/);
  // Newest reading first, with readable dates.
  const rows = page.getByRole('region', { name: 'Observations list' }).getByRole('row');
  await expect(rows.nth(1)).toContainText('Mar 30, 2024, 7:30 AM');
  await expect(page.getByRole('columnheader', { name: 'Time' })).toHaveAttribute('aria-sort', 'descending');

  // The chart: a date axis, the unit's axis, and the values under the pointer.
  const chart = page.getByRole('img', { name: 'Chart of 25 readings on this page over time: Heart Rate' });
  await expect(chart).toBeVisible();
  // uPlot draws its axes on a canvas; the legend under it is text. Under the
  // pointer it shows the reading's date and value with its unit.
  const plot = chart.locator('.u-over');
  const box = (await plot.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(chart.locator('.u-legend .u-series').nth(0)).toContainText(/Time\s*2024-03-\d\d/);
  await expect(chart.locator('.u-legend .u-series').nth(1)).toContainText(/Heart Rate \(beats\/min\)\s*\d+/);
  await page.screenshot({ path: 'screenshots/observations-chart.png', fullPage: true });

  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByText('Page 2 of 2 · 30 observations')).toBeVisible();
  await page.reload();
  await expect(page.getByText('Page 2 of 2 · 30 observations')).toBeVisible();
  const first = page.getByRole('row', { name: /Mar 1, 2024, 7:30 AM/ });
  await expect(first).toContainText('CareX');
  await expect(first).toContainText('60 beats/min');
  await first.getByRole('button', { name: /^View observation/ }).click();
  const drawer = page.getByRole('dialog', { name: /^Observation \d+/ });
  await expect(drawer.getByText('Heart Rate · 60 beats/min')).toBeVisible();
  await expect(drawer.getByLabel('Data point JSON')).toContainText('"date_time": "2024-03-01T07:30:00Z"');
  await page.keyboard.press('Escape');
  await expect(drawer).toHaveCount(0);
  await expect(first.getByRole('button', { name: /^View observation/ })).toBeFocused();

  // Oldest first, by the column header; Back returns to the newest first.
  await page.getByRole('button', { name: 'Time' }).click();
  await expect(page.getByRole('columnheader', { name: 'Time' })).toHaveAttribute('aria-sort', 'ascending');
  await expect(page).toHaveURL(/sort=oldest/);
  await expect(rows.nth(1)).toContainText('Mar 1, 2024, 7:30 AM');
  await page.goBack();
  await expect(page).not.toHaveURL(/sort=oldest/);

  // A narrower date range.
  await filters.getByLabel('To', { exact: true }).fill('2024-03-10');
  await filters.getByLabel('To', { exact: true }).dispatchEvent('change');
  await expect(page.getByText('Page 1 of 1 · 10 observations')).toBeVisible();
});

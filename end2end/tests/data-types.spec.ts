import { test, expect } from './fixtures';
import { logIn } from './console';

const moodSchema = {
  type: 'object',
  required: ['mood'],
  properties: { mood: { type: 'integer', minimum: 1, maximum: 5 } },
};

function moodPoint(mood: unknown) {
  return JSON.stringify({
    header: {
      uuid: '7d1c8c5e-2f4b-4a8e-9c3d-1b2a3c4d5e6f',
      schema_id: { namespace: 'example', name: 'mood', version: '1.0' },
      source_creation_date_time: '2025-06-01T08:00:00Z',
    },
    body: { mood },
  });
}

test.use({ expectedStatuses: [400] });

test('a super user adds a data type with a custom schema, sees schema errors first, and validates samples', async ({ page }) => {
  const code = `example:mood:1.0`;
  await logIn(page, 'sam@example.com');
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Data Types' }).click();
  const form = page.getByRole('region', { name: 'Add Data Type' });
  await form.getByLabel('Coding system').fill('https://example.org/codes');
  await form.getByLabel('Code').fill(code);
  await form.getByLabel('Text').fill('Mood (custom)');
  const schema = form.getByLabel(/JSON Schema/);

  // A misspelt type is caught before saving.
  await schema.fill(JSON.stringify({ type: 'object', properties: { mood: { type: 'integr' } } }));
  await form.getByRole('button', { name: 'Check Schema' }).click();
  await expect(form.getByRole('alert')).toContainText('Schema error: not a valid JSON Schema');
  // Saving it anyway is refused with the same reason.
  await form.getByRole('button', { name: 'Add Data Type' }).click();
  await expect(form.getByRole('alert').filter({ hasNotText: 'Schema error' })).toContainText('not a valid JSON Schema');

  await schema.fill(JSON.stringify(moodSchema));
  await form.getByRole('button', { name: 'Check Schema' }).click();
  await expect(form.getByRole('status')).toHaveText('The schema can be used.');
  await form.getByRole('button', { name: 'Add Data Type' }).click();
  await expect(form.getByRole('status').filter({ hasText: 'added' })).toHaveText(/Data type \d+ added./);
  await expect(page.getByRole('row', { name: /Mood \(custom\)/ })).toBeVisible();
  await page.screenshot({ path: 'screenshots/data-types.png', fullPage: true });

  // Try a sample: each error with its path, then a valid one.
  const sample = page.getByRole('region', { name: 'Try a sample' });
  await sample.getByLabel('Data type').selectOption({ label: `Mood (custom) (${code})` });
  await sample.getByLabel(/OMH data point/).fill(moodPoint(9));
  await sample.getByRole('button', { name: 'Validate' }).click();
  await expect(sample.getByRole('alert')).toContainText('body.mood');
  await sample.getByLabel(/OMH data point/).fill(moodPoint('happy'));
  await sample.getByRole('button', { name: 'Validate' }).click();
  await expect(sample.getByRole('alert')).toContainText('body.mood');
  await sample.getByLabel(/OMH data point/).fill(moodPoint(4));
  await sample.getByRole('button', { name: 'Validate' }).click();
  await expect(sample.getByRole('status')).toHaveText('Valid.');
});

import { test, expect } from './fixtures';
import { logIn } from './console';
import { tokenFor } from './jhe';

test.describe('consent on a patient\'s behalf', () => {
  test.use({ expectedStatuses: [403] });

  test('a member consents for Peter, revokes and re-consents; a viewer only sees; another organization cannot open him', async ({ page, browser, request }) => {
    // A study of its own, so that other journeys cannot have answered it.
    const mary = { Authorization: `Bearer ${tokenFor('mary@example.com')}` };
    const created = await request.post('/api/v1/studies', { headers: mary, data: { name: 'Behalf Study', description: 'Heart rate on request', organization: 20003 } });
    expect(created.status()).toBe(201);
    const study = (await created.json()).id;
    expect((await request.post(`/api/v1/studies/${study}/scope_requests`, { headers: mary, data: { scope_code_id: 50004 } })).status()).toBe(201);
    expect((await request.post(`/api/v1/studies/${study}/patients`, { headers: mary, data: { patientIds: [40001] } })).status()).toBe(201);

    await logIn(page, 'megan@example.com');
    await page.goto('/patients/40001');
    await expect(page.getByRole('heading', { name: 'Studies Pending Consent' })).toBeVisible();
    const group = () => page.getByRole('group', { name: 'Behalf Study' });
    // Saves and waits for the server's answer, so that a reload cannot overtake it.
    const save = async () => {
      const saved = page.waitForResponse((r) => r.url().includes('/console/api/save_consents'));
      await group().getByRole('button', { name: 'Save' }).click();
      expect((await saved).status()).toBe(200);
    };
    await group().getByLabel('Heart Rate').check();
    await save();
    await expect(page.getByRole('heading', { name: 'Studies Answered' })).toBeVisible();
    await page.reload();
    await expect(group().getByLabel('Heart Rate')).toBeChecked();

    await group().getByLabel('Heart Rate').uncheck();
    await save();
    await page.reload();
    await expect(group().getByLabel('Heart Rate')).not.toBeChecked();
    await group().getByLabel('Heart Rate').check();
    await save();
    await page.reload();
    await expect(group().getByLabel('Heart Rate')).toBeChecked();
    await page.screenshot({ path: 'screenshots/patient-on-behalf.png', fullPage: true });

    const viewer = await (await browser.newContext()).newPage();
    await logIn(viewer, 'victor@example.com');
    await viewer.goto('/patients/40001');
    const seen = viewer.getByRole('group', { name: 'Behalf Study' });
    await expect(seen.getByLabel('Heart Rate')).toBeDisabled();
    // Who answered, and that it was not the patient.
    await expect(seen.getByText(/Shared since .+ by megan@example\.com/)).toBeVisible();
    await expect(seen.getByRole('button', { name: 'Save' })).toHaveCount(0);

    const outsider = await (await browser.newContext()).newPage();
    await logIn(outsider, 'mark@example.com');
    await outsider.goto('/patients/40001');
    await expect(outsider.getByRole('alert')).toContainText('not authorized');
  });
});

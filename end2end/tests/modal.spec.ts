import { test, expect } from './fixtures';
import { logIn } from './console';

test('dialogs work from the keyboard alone: focus in, trapped, Escape closes and clears the address, focus back', async ({ page }) => {
  await logIn(page, 'sam@example.com');
  await page.goto('/data-sources');
  const opener = page.getByRole('button', { name: 'Add Data Source' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add Data Source' });
  await expect(dialog).toBeVisible();
  await expect(page).toHaveURL(/\/data-sources\?add$/);
  await expect(dialog.getByLabel('Name')).toBeFocused();
  // Tab never reaches the page behind: it walks the dialog, and past its
  // last control the browser's own toolbar (the document's body here).
  let inside = 0;
  for (let i = 0; i < 8; i += 1) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate(() => document.activeElement?.closest('dialog') ? 'dialog'
      : document.activeElement === document.body ? 'browser' : document.activeElement?.outerHTML.slice(0, 80));
    expect(['dialog', 'browser']).toContain(where);
    if (where === 'dialog') inside += 1;
  }
  expect(inside).toBeGreaterThanOrEqual(6);
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(page).toHaveURL(/\/data-sources$/);
  await expect(opener).toBeFocused();

  // The page behind is inert while a dialog is open.
  await page.getByRole('row', { name: /CareX/ }).getByRole('button', { name: 'View CareX' }).click();
  const view = page.getByRole('dialog', { name: 'View Data Source' });
  await expect(view).toBeVisible();
  // Opened as a modal: the page behind is inert.
  expect(await page.locator('dialog').evaluate((element) => element.matches(':modal'))).toBe(true);
  await page.keyboard.press('Escape');
  await expect(view).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'View CareX' })).toBeFocused();
});

test('the delete buttons in a dialog are red with white text', async ({ page }) => {
  await logIn(page, 'sam@example.com');
  await page.goto('/data-sources?view=70001');
  const view = page.getByRole('dialog', { name: 'View Data Source' });
  const colours = async (button: ReturnType<typeof view.getByRole>) => button.evaluate((element) => {
    const style = getComputedStyle(element);
    return [style.backgroundColor, style.color];
  });
  await expect(view.getByRole('button', { name: 'Delete' })).toBeVisible();
  expect(await colours(view.getByRole('button', { name: 'Delete' }))).toEqual(['rgb(166, 27, 27)', 'rgb(255, 255, 255)']);
  await view.getByRole('button', { name: 'Delete' }).click();
  const confirm = view.getByRole('alertdialog', { name: 'Confirm deletion' });
  expect(await colours(confirm.getByRole('button', { name: 'Delete' }))).toEqual(['rgb(166, 27, 27)', 'rgb(255, 255, 255)']);
  await confirm.getByRole('button', { name: 'Keep it' }).click();
});

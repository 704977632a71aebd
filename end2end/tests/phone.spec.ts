import { test, expect } from './fixtures';
import { logIn } from './console';

// A phone-sized screen: every console page fits its width (wide tables scroll
// inside their card) and the navigation stays reachable.
test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

for (const [who, paths] of [
  ['mary@example.com', ['/studies', '/patients', '/patients/40001', '/data-sources', '/data-types', '/observations', '/organizations?org=20003']],
  ['peter@example.com', ['/consent', '/observations']],
  ['sam@example.com', ['/practitioners', '/clients', '/settings']],
] as const) {
  test(`the console fits a phone for ${who}`, async ({ page }) => {
    await logIn(page, who);
    for (const path of paths) {
      await page.goto(path);
      await expect(page.getByRole('heading').first()).toBeVisible();
      await expect(page.locator('.loading')).toHaveCount(0);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
      await expect(page.getByRole('navigation', { name: 'Console' })).toBeVisible();
    }
    await page.screenshot({ path: `screenshots/phone-${who.split('@')[0]}.png`, fullPage: true });
  });
}

import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';
import { logIn } from './console';

// Every screen, for the role that uses it, at a laptop's and a phone's size:
// its own title, no serious or critical accessibility problem (axe-core),
// nothing wider than the screen, the key columns on screen, and a screenshot.
const sizes = [
  { name: 'laptop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

const screens: [string, [string, string, string[]][]][] = [
  ['sam@example.com', [
    ['/', 'Home', []],
    ['/studies', 'Studies', ['Name', 'Organization']],
    ['/studies?view=30001', 'Studies', []],
    ['/data-sources', 'Data Sources', ['Name', 'Supported Scopes']],
    ['/data-sources?view=70001', 'Data Sources', []],
    ['/data-types', 'Data Types', []],
    ['/organizations?org=20003', 'Organizations', []],
    ['/practitioners', 'Practitioners', []],
    ['/clients', 'Clients', []],
    ['/settings', 'Settings', []],
    ['/audit', 'Audit', []],
    ['/no/such/page', 'Page not found', []],
  ]],
  ['mary@example.com', [
    ['/', 'Home', []],
    ['/patients', 'Patients', []],
    ['/patients/40001', 'Patient', []],
    ['/observations', 'Observations', ['Time', 'Data type', 'Value']],
    ['/studies?add', 'Studies', []],
  ]],
  ['peter@example.com', [
    ['/', 'Home', []],
    ['/consent', 'My Consents', []],
    ['/observations', 'Observations', ['Time', 'Data type', 'Value']],
  ]],
];

// The list includes the page for an unknown address, which answers 404.
test.use({ expectedStatuses: [404] });

for (const size of sizes) {
  for (const [who, pages] of screens) {
    test(`every screen of ${who.split('@')[0]} at ${size.name} size`, async ({ page }) => {
      test.setTimeout(90_000);
      await page.setViewportSize({ width: size.width, height: size.height });
      await logIn(page, who);
      for (const [path, title, columns] of pages) {
        await page.goto(path);
        await expect(page.locator('.loading')).toHaveCount(0);
        await expect(page).toHaveTitle(`${title} · jhe`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${path} is wider than the screen`).toBeLessThanOrEqual(0);
        for (const column of columns) {
          // On a phone the header is hidden and each cell carries its label.
          const cell = size.name === 'phone'
            ? page.locator(`td[data-label="${column}"]`).first()
            : page.getByRole('columnheader', { name: column });
          // Below the fold is fine (a patient's chart comes first); off to
          // the side is not.
          await cell.scrollIntoViewIfNeeded();
          await expect(cell, `${path}: ${column}`).toBeInViewport({ ratio: 0.5 });
        }
        if (columns.length > 0) {
          const view = page.getByRole('button', { name: /^View/ }).first();
          await view.scrollIntoViewIfNeeded();
          await expect(view, `${path}: View`).toBeInViewport();
        }
        const scan = await new AxeBuilder({ page }).analyze();
        const serious = scan.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        expect(serious, `${path}: accessibility`).toEqual([]);
        const file = path.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home';
        await page.screenshot({ path: `screenshots/screens/${size.name}/${who.split('@')[0]}-${file}.png`, fullPage: true });
      }
    });
  }
}

import { test as base, expect } from '@playwright/test';

// Every page fails its test on a browser error or an HTTP status >= 400,
// except the refusals a test expects (listed in `expectedStatuses`).
export const test = base.extend<{ problems: string[]; expectedStatuses: number[] }>({
  expectedStatuses: [[], { option: true }],
  problems: [async ({ page, expectedStatuses }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      const expected = expectedStatuses.some((status) => text.includes(`status of ${status}`));
      if (message.type() === 'error' && !expected) problems.push(`console error: ${text}`);
    });
    page.on('response', (response) => {
      const status = response.status();
      if (status >= 400 && !expectedStatuses.includes(status)) problems.push(`HTTP ${status} ${response.url()}`);
    });
    await use(problems);
    expect(problems, 'browser problems').toEqual([]);
  }, { auto: true }],
});

export { expect };

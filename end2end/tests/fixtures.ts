import { test as base, expect } from '@playwright/test';

// Every jhe page fails its test on a browser error or an HTTP status >= 400,
// except the refusals a test expects (listed in `expectedStatuses`, and
// console errors containing one of `expectedConsole`). Pages of other sites
// a journey passes through (an OpenID provider) are theirs.
export const test = base.extend<{ problems: string[]; expectedStatuses: number[]; expectedConsole: string[] }>({
  expectedStatuses: [[], { option: true }],
  expectedConsole: [[], { option: true }],
  problems: [async ({ page, expectedStatuses, expectedConsole, baseURL }, use) => {
    const problems: string[] = [];
    const ours = (url: string) => url.startsWith(baseURL!);
    page.on('pageerror', (error) => {
      if (ours(page.url())) problems.push(`page error: ${error.message}`);
    });
    page.on('console', (message) => {
      const text = message.text();
      const expected = expectedStatuses.some((status) => text.includes(`status of ${status}`))
        || expectedConsole.some((part) => text.includes(part));
      const where = message.location().url || page.url();
      if (message.type() === 'error' && !expected && ours(where) && ours(page.url())) {
        problems.push(`console error: ${text}`);
      }
    });
    page.on('response', (response) => {
      const status = response.status();
      if (status >= 400 && ours(response.url()) && !expectedStatuses.includes(status)) {
        problems.push(`HTTP ${status} ${response.url()}`);
      }
    });
    await use(problems);
    expect(problems, 'browser problems').toEqual([]);
  }, { auto: true }],
});

export { expect };

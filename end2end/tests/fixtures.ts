import { test as base, expect } from '@playwright/test';

// Every page fails its test on a browser error or an HTTP status >= 400.
export const test = base.extend<{ problems: string[] }>({
  problems: [async ({ page }, use) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} ${response.url()}`);
    });
    await use(problems);
    expect(problems, 'browser problems').toEqual([]);
  }, { auto: true }],
});

export { expect };

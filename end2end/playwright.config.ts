import { defineConfig } from '@playwright/test';

// The suite runs against a release build of jhe on a freshly seeded SQLite
// database (PostgreSQL with JHE_E2E_DATABASE_URL), started by
// ../scripts/e2e-server (see README).
const port = Number(process.env.JHE_E2E_PORT ?? 3000);
export const baseURL = `http://127.0.0.1:${port}`;
// An independent OpenID provider for the single-sign-on journey.
const ssoPort = port + 100;
export const ssoIssuer = `http://127.0.0.1:${ssoPort}`;

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  fullyParallel: false,
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL,
    // Dates on screen are the reader's: fix the reader for the assertions.
    locale: 'en-US',
    timezoneId: 'UTC',
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: `node sso-provider.mjs ${ssoPort} ${baseURL}`,
      url: `${ssoIssuer}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `../scripts/e2e-server ${port}`,
      url: `${baseURL}/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        JHE_SSO_ISSUER: ssoIssuer,
        JHE_SSO_CLIENT_ID: 'jhe-e2e',
        JHE_SSO_CLIENT_SECRET: 'jhe-e2e-secret-that-is-long-enough',
        JHE_SSO_NAME: 'Test Provider',
      },
    },
  ],
});

import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';

// The same binary and database as the server under test (see ../scripts/e2e-server).
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(os.homedir(), '.cache', 'jhe-target');
export const jheBin = process.env.JHE_BIN ?? path.join(targetDir, 'release', 'jhe');
export const dataDir = path.join(__dirname, '..', '.e2e-data');

/** Runs the jhe CLI against the e2e database and returns what it printed. */
export function jhe(...args: string[]): string {
  return execFileSync(jheBin, args, {
    env: { ...process.env, JHE_DATA_DIR: dataDir, DATABASE_URL: process.env.JHE_E2E_DATABASE_URL ?? '' },
    encoding: 'utf8',
  }).trim();
}

/** A bearer token for a demo user. */
export function tokenFor(email: string): string {
  return jhe('token', 'issue', '--email', email);
}

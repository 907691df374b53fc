// Where `c2c deploy --local` keeps what it made: one JSON file per emulator, account, region and
// stack, under `.c2c/local-stacks` of the directory it ran in. Read again by the next deploy and
// by `c2c test --deployed <stack>`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackRecord } from './apply.js';

/** The records' directory below a working directory. */
export const RECORD_DIR = join('.c2c', 'local-stacks');

function endpointDir(recordDir: string, endpoint: string): string {
  return join(recordDir, new URL(endpoint).host.replace(/[^A-Za-z0-9.-]/g, '_'));
}

export function recordFileOf(
  recordDir: string,
  endpoint: string,
  where: { accountId: string; region: string; stackName: string },
): string {
  return join(
    endpointDir(recordDir, endpoint),
    `${where.accountId}-${where.region}-${where.stackName}.json`,
  );
}

/** The records of stack `stackName` deployed to `endpoint` in `region`, of any account. */
export function stackRecords(
  recordDir: string,
  endpoint: string,
  region: string,
  stackName: string,
): StackRecord[] {
  const dir = endpointDir(recordDir, endpoint);
  if (!existsSync(dir)) return [];
  const suffix = `-${region}-${stackName}.json`;
  return readdirSync(dir)
    .filter((f) => /^\d{12}-/.test(f) && f.endsWith(suffix))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as StackRecord);
}

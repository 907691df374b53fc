import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, userInfo } from 'node:os';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { ensurePrivateDir } from '@c2c-kit/local-guard';
import type { Database as Db } from 'better-sqlite3';
import { lambdaErrors } from './errors.js';

/**
 * Functions created through the Lambda API (CreateFunction with a zip): the zip and the settings
 * the host does not keep (runtime, role, memory, architectures, description) in
 * `lambda_function_packages`, the code unpacked into a private directory on disk named by the zip's
 * SHA-256, where the host's workers load it. The zip stays in the database, so the code is unpacked
 * again after a restart that lost the directory (a cleaned /tmp).
 *
 * The AWS SDK: Lambda's Node.js runtimes provide `@aws-sdk/*` to every function, and bundles leave
 * it out. Here the code root holds `node_modules/@aws-sdk` linked to the SDK installed beside the
 * emulator, so a function's `import('@aws-sdk/client-sqs')` resolves the same way.
 */

/** Lambda's limits: 50 MB zipped in a direct upload, 250 MB unzipped. */
export const MAX_ZIP_BYTES = 50 * 1024 * 1024;
const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

export interface FunctionPackage {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly runtime: string;
  readonly role: string;
  readonly memorySize: number;
  readonly architectures: readonly string[];
  readonly description: string;
  /** Base64 SHA-256 of the zip, as Lambda reports `CodeSha256`. */
  readonly codeSha256: string;
  readonly codeSize: number;
}

interface PackageRow {
  account_id: string;
  region: string;
  name: string;
  runtime: string;
  role: string;
  memory_size: number;
  architectures: string;
  description: string;
  code_sha256: string;
  code_size: number;
  zip: Buffer;
}

const toPackage = (r: PackageRow): FunctionPackage => ({
  accountId: r.account_id,
  region: r.region,
  name: r.name,
  runtime: r.runtime,
  role: r.role,
  memorySize: r.memory_size,
  architectures: JSON.parse(r.architectures) as string[],
  description: r.description,
  codeSha256: r.code_sha256,
  codeSize: r.code_size,
});

/** The directory holding `@aws-sdk/*` as installed beside the emulator. */
function sdkScopeDir(): string | undefined {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve('@aws-sdk/client-sqs'));
    while (!dir.endsWith(`${sep}@aws-sdk`) && dirname(dir) !== dir) dir = dirname(dir);
    return dir.endsWith(`${sep}@aws-sdk`) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The per-user directory function code is unpacked into (0700: code run by the workers). */
export function codeRoot(): string {
  const root = join(tmpdir(), `c2c-kit-lambda-code-${userInfo().uid}`);
  ensurePrivateDir(root);
  const sdk = sdkScopeDir();
  const link = join(root, 'node_modules', '@aws-sdk');
  if (sdk !== undefined && !existsSync(link)) {
    mkdirSync(join(root, 'node_modules'), { recursive: true, mode: 0o700 });
    try {
      symlinkSync(sdk, link, 'dir');
    } catch (error) {
      // Another emulator made it first.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return root;
}

/** Unpacks a zip into `<root>/<sha256-hex>/` (once; the same zip is the same directory). */
export function unpack(zip: Buffer, root: string): string {
  const hex = createHash('sha256').update(zip).digest('hex');
  const target = join(root, hex);
  if (existsSync(target)) return target;
  let files: Record<string, Uint8Array>;
  try {
    // Loaded at the first upload: fflate builds its Huffman tables when loaded, work every start
    // would pay for an API few sessions call.
    const { unzipSync } = createRequire(import.meta.url)('fflate') as typeof import('fflate');
    files = unzipSync(zip);
  } catch (error) {
    throw lambdaErrors.invalidParameter(
      `Could not unzip uploaded file. Please check your file, then try to upload again. (${(error as Error).message})`,
    );
  }
  let total = 0;
  const staging = join(root, `.staging-${randomBytes(8).toString('hex')}`);
  try {
    for (const [name, data] of Object.entries(files)) {
      total += data.length;
      if (total > MAX_UNZIPPED_BYTES) {
        throw lambdaErrors.invalidParameter(
          `Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`,
        );
      }
      const path = normalize(name);
      // A zip entry may not leave its directory (zip slip) or name an absolute path.
      if (isAbsolute(path) || path.startsWith(`..${sep}`) || path === '..') {
        throw lambdaErrors.invalidParameter(`Zip entry ${JSON.stringify(name)} leaves the package`);
      }
      if (name.endsWith('/')) continue;
      const file = join(staging, path);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, data, { mode: 0o600 });
    }
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    try {
      renameSync(staging, target);
    } catch (error) {
      // The same zip unpacked at the same time by another request: theirs is as good.
      if (!existsSync(target)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return target;
}

/** The handler file Lambda's Node.js runtime loads for `Handler: "dir/file.export"`. */
export function handlerFile(dir: string, handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0 || dot === handler.length - 1) {
    throw lambdaErrors.invalidParameter(
      `Handler: expected "<file>.<export>", got ${JSON.stringify(handler.slice(0, 128))}`,
    );
  }
  const module = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  for (const ext of ['.js', '.mjs', '.cjs']) {
    const file = normalize(join(dir, `${module}${ext}`));
    if (file.startsWith(`${dir}${sep}`) && existsSync(file)) return { file, exportName };
  }
  throw lambdaErrors.invalidParameter(
    `Handler ${handler}: the package has no ${module}.js, ${module}.mjs or ${module}.cjs`,
  );
}

/** The packages store (`lambda_function_packages`). */
export class FunctionPackages {
  readonly #db: Db;
  readonly #root: string;

  constructor(db: Db) {
    this.#db = db;
    this.#root = codeRoot();
    db.exec(`
      CREATE TABLE IF NOT EXISTS lambda_function_packages (
        account_id TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL, runtime TEXT NOT NULL,
        role TEXT NOT NULL, memory_size INTEGER NOT NULL, architectures TEXT NOT NULL,
        description TEXT NOT NULL, code_sha256 TEXT NOT NULL, code_size INTEGER NOT NULL,
        zip BLOB NOT NULL, PRIMARY KEY (account_id, region, name));
    `);
  }

  /** Unpacks `zip` and returns the directory; the caller registers the handler inside it. */
  unpack(zip: Buffer): string {
    if (zip.length > MAX_ZIP_BYTES) {
      throw lambdaErrors.invalidParameter(
        `Zipped size must be smaller than ${MAX_ZIP_BYTES} bytes`,
      );
    }
    return unpack(zip, this.#root);
  }

  get(key: { accountId: string; region: string; name: string }): FunctionPackage | undefined {
    const row = this.#db
      .prepare(
        'SELECT * FROM lambda_function_packages WHERE account_id = ? AND region = ? AND name = ?',
      )
      .get(key.accountId, key.region, key.name) as PackageRow | undefined;
    return row ? toPackage(row) : undefined;
  }

  put(p: FunctionPackage, zip: Buffer): void {
    this.#db
      .prepare(
        `INSERT OR REPLACE INTO lambda_function_packages (account_id, region, name, runtime, role,
           memory_size, architectures, description, code_sha256, code_size, zip)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        p.accountId,
        p.region,
        p.name,
        p.runtime,
        p.role,
        p.memorySize,
        JSON.stringify(p.architectures),
        p.description,
        p.codeSha256,
        p.codeSize,
        zip,
      );
  }

  /** The stored zip of a function (to unpack again after a restart). */
  zipOf(key: { accountId: string; region: string; name: string }): Buffer | undefined {
    const row = this.#db
      .prepare(
        'SELECT zip FROM lambda_function_packages WHERE account_id = ? AND region = ? AND name = ?',
      )
      .get(key.accountId, key.region, key.name) as { zip: Buffer } | undefined;
    return row?.zip;
  }

  delete(key: { accountId: string; region: string; name: string }): void {
    this.#db
      .prepare(
        'DELETE FROM lambda_function_packages WHERE account_id = ? AND region = ? AND name = ?',
      )
      .run(key.accountId, key.region, key.name);
  }

  /** Unpacks every stored zip whose directory is gone (after a restart on a cleaned /tmp). */
  restore(): void {
    const rows = this.#db.prepare('SELECT zip FROM lambda_function_packages').all() as Array<{
      zip: Buffer;
    }>;
    for (const { zip } of rows) unpack(zip, this.#root);
  }
}

const stores = new WeakMap<Db, FunctionPackages>();

/** The packages store of a database (one per database, shared by the route groups). */
export function functionPackagesFor(db: Db): FunctionPackages {
  let store = stores.get(db);
  if (!store) {
    store = new FunctionPackages(db);
    stores.set(db, store);
  }
  return store;
}

// A function's code as Lambda takes it (a zip), made from the very asset the cloud assembly holds
// for S3: the bundle directory is zipped as the CDK's asset publishing zips it, a packaged .zip is
// taken as it is.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type Zippable, zipSync } from 'fflate';
import { DeployError } from '../errors.js';

/** The fixed time stamp CDK asset zips carry too, so the same bundle always zips the same. */
const EPOCH = new Date('1980-01-01T00:00:00Z');

function collect(dir: string, root: string, into: Zippable): void {
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) collect(full, root, into);
    else into[relative(root, full).split(sep).join('/')] = [readFileSync(full), { mtime: EPOCH }];
  }
}

/** The zip of an asset: a directory zipped, a `.zip` file read. */
export function zipAsset(path: string, packaging: string): Uint8Array {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new DeployError(`asset ${path}: not found in the cloud assembly`);
  }
  if (stat.isDirectory()) {
    const files: Zippable = {};
    collect(path, path, files);
    return zipSync(files, { level: 6 });
  }
  if (packaging === 'file' && path.endsWith('.zip')) return readFileSync(path);
  throw new DeployError(
    `asset ${path}: expected a directory or a .zip file (packaging ${packaging})`,
  );
}

/** Inline code (`Code.ZipFile`): CloudFormation writes it to `index.js` for Node.js runtimes. */
export function zipInline(source: string): Uint8Array {
  return zipSync({ 'index.js': [Buffer.from(source, 'utf8'), { mtime: EPOCH }] });
}

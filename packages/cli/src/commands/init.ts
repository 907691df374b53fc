import { basename, relative, resolve } from 'node:path';
import { DEVICE_KINDS } from '@c2c-kit/vendor-cloud';
import { parseCommandArgs } from '../args.js';
import { UsageError } from '../errors.js';
import { checkName, checkTarget, DEFAULT_KINDS, parseKinds, scaffold } from '../init/scaffold.js';
import { type CliIo, writeLine } from '../io.js';

export const INIT_HELP = `Usage: c2c init <dir> [options]

Writes a complete connector project into <dir> (new or empty): a TypeScript Lambda handler on
@c2c-kit/connector (the four operations, webhook intake, Matter translation per device kind), a
vendor-client module where your cloud's API goes (generated for the simulated vendor cloud, so
it runs in "c2c dev" as it is), unit tests, an esbuild bundle script, an AWS CDK app for
"c2c deploy" (infra/app.ts, cdk.json) and a README. The c2c-kit packages it needs are packed from
this checkout into <dir>/.c2c-kit/.

Options:
  --devices <a,b>   device kinds to support: ${DEVICE_KINDS.join(', ')}
                    (default ${DEFAULT_KINDS.join(',')})
  --name <name>     package and Lambda function name (default: the directory's name)
  -h, --help        show this help

Example:
  $ c2c init ../my-connector --devices light,lock
  $ cd ../my-connector && npm install && npm test`;

/** `c2c init`: returns the exit status. */
export async function runInit(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs(
    'init',
    argv,
    {
      devices: { type: 'string' },
      name: { type: 'string' },
    },
    1,
  );
  if (args.values.help === true) {
    writeLine(io.stdout, INIT_HELP);
    return 0;
  }
  const target = args.positionals[0];
  if (target === undefined)
    throw new UsageError('init', 'expected the project directory: c2c init <dir>');
  const dir = resolve(io.cwd, target);
  const nameFlag = args.values.name;
  const name = checkName(typeof nameFlag === 'string' ? nameFlag : basename(dir));
  const devices = args.values.devices;
  const kinds = parseKinds(typeof devices === 'string' ? devices : undefined);
  checkTarget(dir);

  const result = await scaffold({ dir, name, kinds });
  const shown = relative(io.cwd, dir) || '.';
  const out = (line = '') => writeLine(io.stdout, line);
  out(`Created ${name} in ${shown} (devices: ${kinds.join(', ')}): ${result.files.length} files,`);
  out(`c2c-kit packages packed into ${shown}/.c2c-kit/ (${result.tarballs.length}).`);
  out('');
  out('Next:');
  out(`  cd ${shown} && npm install && npm test`);
  out(
    `  npx c2c dev --connector ${shown} --demo     (from here: runs it against the simulated cloud)`,
  );
  out(`Then read ${shown}/README.md: src/vendorClient.ts is where your cloud's API goes.`);
  return 0;
}

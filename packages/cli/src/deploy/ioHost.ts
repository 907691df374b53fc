// How the CDK toolkit talks to the user through `c2c deploy`: its progress and results on
// stdout, warnings and errors on stderr, debug lines only with --verbose; its questions (approve
// IAM changes, confirm a destroy) answered by --yes, the terminal, or refused without either.
import { createInterface } from 'node:readline/promises';
import type { IIoHost, IoMessage, IoRequest } from '@aws-cdk/toolkit-lib';
import { DeployError } from '../errors.js';
import { type CliIo, writeLine } from '../io.js';

export interface IoHostOptions {
  readonly verbose: boolean;
  /** Approve every question (IAM changes, destroy) without asking. */
  readonly yes: boolean;
}

/** Strips the colours the toolkit adds when it thinks it writes to a terminal. */
const ANSI_SGR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
const plain = (text: string) => text.replace(ANSI_SGR, '');

export function cliIoHost(io: CliIo, options: IoHostOptions): IIoHost {
  const interactive = (io.stdin as { isTTY?: boolean }).isTTY === true;
  return {
    async notify(msg: IoMessage<unknown>) {
      const text = plain(msg.message);
      if (text.trim() === '') return;
      switch (msg.level) {
        case 'error':
          writeLine(io.stderr, text);
          return;
        case 'warn':
          writeLine(io.stderr, `warning: ${text}`);
          return;
        case 'result':
        case 'info':
          writeLine(io.stdout, text);
          return;
        default:
          if (options.verbose) writeLine(io.stderr, text);
      }
    },
    async requestResponse<T>(msg: IoRequest<unknown, T>): Promise<T> {
      const question = plain(msg.message);
      if (typeof msg.defaultResponse !== 'boolean') {
        writeLine(io.stdout, question);
        return msg.defaultResponse;
      }
      if (options.yes) {
        writeLine(io.stdout, `${question} yes (--yes)`);
        return true as T;
      }
      if (!interactive) {
        throw new DeployError(
          `${question}: there is no terminal to ask; run again with --yes to approve`,
        );
      }
      const rl = createInterface({ input: io.stdin, output: io.stdout });
      try {
        const answer = await rl.question(`${question} (y/n) `);
        return /^y(es)?$/i.test(answer.trim()) as T;
      } finally {
        rl.close();
      }
    },
  };
}

import { tokenFingerprint } from '@c2c-kit/emulator';
import { StepFailedError } from '../errors.js';
import { type SeenInvocation, seenInvocation } from './session.js';

// A deployed function's invocations and log lines, read from the emulator's function journal
// (`/_local/functions/<name>/invocations` and `/logs`) from the moment the reader opens. The
// checks read them synchronously, so the reader pulls in the background and whenever asked.

/** How often the reader pulls on its own (the checks' own waits poll at 10-100 ms). */
const PULL_MS = 100;
/** What the emulator answers a journal read with at most. */
const PAGE = 1000;
/** Lines kept, as the in-process session keeps them. */
const MAX_LINES = 50_000;

interface Page<T> {
  readonly Items: T[];
  readonly Seq: number;
}

interface WireInvocation {
  readonly seq: number;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly event: unknown;
  readonly outcome: SeenInvocation['outcome'];
}

export class JournalReader {
  readonly invocations: SeenInvocation[] = [];
  readonly lines: string[] = [];
  readonly #base: string;
  /** Tokens the suite sent itself, by the fingerprint the journal shows instead. */
  readonly #tokens = new Map<string, string>();
  #afterInvocation: number;
  #afterLine: number;
  #chain: Promise<void> = Promise.resolve();
  #pending = false;
  #timer: NodeJS.Timeout | undefined;
  #failure: Error | undefined;

  private constructor(base: string, seq: number) {
    this.#base = base;
    this.#afterInvocation = seq;
    this.#afterLine = seq;
    this.#timer = setInterval(() => {
      if (!this.#pending) this.refresh().catch(() => {});
    }, PULL_MS);
    this.#timer.unref();
  }

  /** Starts reading `functionArn`'s journal from now on. */
  static async open(emulatorUrl: string, functionArn: string): Promise<JournalReader> {
    const base = `${emulatorUrl}/_local/functions/${encodeURIComponent(functionArn)}`;
    const response = await fetch(`${base}/invocations?limit=1`);
    if (response.status === 404) {
      await response.text();
      throw new StepFailedError(
        'deployed connector',
        `the emulator at ${emulatorUrl} keeps no function journal (/_local/functions/<name>/invocations): run the c2c emulator of this c2c-kit`,
      );
    }
    const page = (await response.json()) as Page<WireInvocation>;
    return new JournalReader(base, page.Seq);
  }

  /** Remembers the token of an envelope the suite sends, to show it where the journal hides it. */
  remember(envelope: unknown): void {
    const token = (envelope as { header?: { auth?: { token?: unknown } } } | null)?.header?.auth
      ?.token;
    if (typeof token === 'string') this.#tokens.set(tokenFingerprint(token), token);
  }

  /**
   * Pulls what is new; resolves once a pull that started after this call has finished. Once a
   * pull failed, every later call rejects with why: the checks must not take a journal they
   * could not read for a function that did nothing.
   */
  async refresh(): Promise<void> {
    this.#pending = true;
    this.#chain = this.#chain.then(async () => {
      this.#pending = false;
      if (this.#failure !== undefined) return;
      try {
        await this.#pull();
      } catch (error) {
        this.#failure = error as Error;
      }
    });
    await this.#chain;
    if (this.#failure !== undefined) throw this.#failure;
  }

  async #pull(): Promise<void> {
    for (;;) {
      const page = await this.#read<WireInvocation>('invocations', this.#afterInvocation);
      for (const item of page.Items) {
        this.invocations.push(seenInvocation(this.#restored(item.event), item.startedAt, item));
        this.#afterInvocation = item.seq;
      }
      if (page.Items.length < PAGE) break;
    }
    for (;;) {
      const page = await this.#read<{ seq: number; line: string }>('logs', this.#afterLine);
      for (const item of page.Items) {
        if (this.lines.length < MAX_LINES) this.lines.push(item.line);
        this.#afterLine = item.seq;
      }
      if (page.Items.length < PAGE) break;
    }
  }

  async #read<T>(what: string, after: number): Promise<Page<T>> {
    const response = await fetch(`${this.#base}/${what}?after=${after}&limit=${PAGE}`);
    if (!response.ok) {
      await response.text();
      throw new Error(`reading the function's ${what} answered ${response.status}`);
    }
    return (await response.json()) as Page<T>;
  }

  /** The event with a token the suite sent itself back in place of its fingerprint. */
  #restored(event: unknown): unknown {
    const auth = (event as { header?: { auth?: { token?: unknown } } } | null)?.header?.auth;
    if (typeof auth?.token === 'string') {
      const token = this.#tokens.get(auth.token);
      if (token !== undefined) auth.token = token;
    }
    return event;
  }

  /** Stops pulling. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#chain;
  }
}

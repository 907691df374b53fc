import { describe, expect, it } from 'vitest';
import { until } from '../src/polling.js';
import { runProcess, startProcess, waitForLine } from '../src/processes.js';

// Real child processes (this Node binary with a script), for what every test that spawns relies on.
const node = (script: string) => [process.execPath, ['-e', script]] as const;

describe('runProcess', () => {
  it('collects stdout and stderr and reports exit status 0', async () => {
    const result = await runProcess(
      ...node("process.stdout.write('out ✓'); process.stderr.write('err')"),
      { timeoutMs: 20_000 },
    );
    expect(result).toEqual({
      code: 0,
      signal: null,
      stdout: 'out ✓',
      stderr: 'err',
      timedOut: false,
    });
  });

  it('reports a non-zero exit status with what was printed before it', async () => {
    const result = await runProcess(...node("console.error('bad input'); process.exit(3)"), {
      timeoutMs: 20_000,
    });
    expect(result.code).toBe(3);
    expect(result.signal).toBeNull();
    expect(result.stderr).toBe('bad input\n');
    expect(result.timedOut).toBe(false);
  });

  it('kills a child that outlives its timeout and says so, keeping its output', async () => {
    const result = await runProcess(
      ...node("process.stdout.write('started'); setInterval(() => {}, 1000)"),
      { timeoutMs: 500 },
    );
    expect(result).toMatchObject({
      code: null,
      signal: 'SIGKILL',
      timedOut: true,
      stdout: 'started',
    });
  });

  it('writes input to stdin and closes it; without input stdin is at its end at once', async () => {
    const echo = node(
      "let s = ''; process.stdin.on('data', (d) => { s += d; }).on('end', () => process.stdout.write(JSON.stringify(s)))",
    );
    const given = await runProcess(...echo, { timeoutMs: 20_000, input: '{"a":1}' });
    expect(JSON.parse(given.stdout)).toBe('{"a":1}');
    const none = await runProcess(...echo, { timeoutMs: 20_000 });
    expect(JSON.parse(none.stdout)).toBe('');
  });

  it('gives the child exactly the environment and directory it is told', async () => {
    const result = await runProcess(
      ...node(
        'process.stdout.write(JSON.stringify([process.cwd(), process.env.PROBE, process.env.HOME]))',
      ),
      { cwd: '/', env: { PROBE: 'x' }, timeoutMs: 20_000 },
    );
    expect(JSON.parse(result.stdout)).toEqual(['/', 'x', null]);
  });

  it('rejects when the command cannot be started', async () => {
    await expect(
      runProcess('/nonexistent/c2c-no-such-command', [], { timeoutMs: 20_000 }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('startProcess', () => {
  it('shows output while it runs and lets the caller signal the child', async () => {
    const started = startProcess(
      ...node("process.stdout.write('ready'); setInterval(() => {}, 1000)"),
      { timeoutMs: 20_000 },
    );
    await until('the child printed ready', () => started.stdout() === 'ready', 20_000);
    started.child.kill('SIGTERM');
    expect(await started.exited).toMatchObject({
      code: null,
      signal: 'SIGTERM',
      timedOut: false,
      stdout: 'ready',
    });
  });
});

describe('waitForLine', () => {
  // Chunks written apart in time (a pipe may still merge some; the line is whole only at its end).
  const inChunks = (chunks: readonly string[], then: string) =>
    node(
      `const c = ${JSON.stringify(chunks)}; let i = 0; const t = setInterval(() => { if (i < c.length) process.stdout.write(c[i++]); else { clearInterval(t); ${then} } }, 30);`,
    );

  it('finds a line written in pieces, a multi-byte character split across chunks included', async () => {
    const fan = Buffer.from('✓');
    const started = startProcess(
      ...node(
        `const w = (b) => new Promise((r) => process.stdout.write(b, () => setTimeout(r, 30)));
        (async () => {
          await w('booting\\nlis');
          await w('tening on http://127.0.0.1:');
          await w('4567 ');
          await w(Buffer.from([${fan[0]}]));
          await w(Buffer.from([${fan[1]}, ${fan[2]}]));
          await w('\\nafter\\n');
          setInterval(() => {}, 1000);
        })();`,
      ),
      { timeoutMs: 20_000 },
    );
    try {
      const match = await waitForLine(started, /^listening on (http:\/\/[\d.:]+) (.)$/, {
        timeoutMs: 20_000,
      });
      expect(match[1]).toBe('http://127.0.0.1:4567');
      expect(match[2]).toBe('✓');
      // Lines printed before the wait began count too.
      expect(
        await waitForLine(started, (line) => line.startsWith('boot'), { timeoutMs: 1000 }),
      ).toBe('booting');
    } finally {
      started.child.kill('SIGKILL');
      await started.exited;
    }
  });

  it('does not take a partial line for a whole one', async () => {
    const started = startProcess(
      ...inChunks(['ready', '-not', '\n'], 'setInterval(() => {}, 1000);'),
      {
        timeoutMs: 20_000,
      },
    );
    try {
      const line = await waitForLine(started, (l) => l.startsWith('ready'), { timeoutMs: 20_000 });
      expect(line).toBe('ready-not');
    } finally {
      started.child.kill('SIGKILL');
      await started.exited;
    }
  });

  it('rejects with the status and both streams when the child exits before the line', async () => {
    const started = startProcess(
      ...node("console.log('starting'); console.error('port 80: EACCES'); process.exit(4)"),
      { timeoutMs: 20_000 },
    );
    const error = await waitForLine(started, /listening/, { timeoutMs: 20_000 }).catch(
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(
      'exited with status 4 before printing a line matching /listening/',
    );
    expect((error as Error).message).toContain('stdout:\nstarting\n');
    expect((error as Error).message).toContain('stderr:\nport 80: EACCES\n');
    expect((await started.exited).code).toBe(4);
  });

  it('takes an unterminated last line when the child ends after printing it', async () => {
    const started = startProcess(...node("process.stdout.write('a\\nready')"), {
      timeoutMs: 20_000,
    });
    expect(await waitForLine(started, (l) => l === 'ready', { timeoutMs: 20_000 })).toBe('ready');
  });

  it('rejects on timeout with the tail of the output and leaves the child to the caller', async () => {
    const started = startProcess(
      ...node(
        "process.stdout.write('x'.repeat(10000) + 'END\\n'); process.stderr.write('warming up'); setInterval(() => {}, 1000)",
      ),
      { timeoutMs: 20_000 },
    );
    const error = await waitForLine(started, /listening/, { timeoutMs: 300 }).catch(
      (e: unknown) => e as Error,
    );
    expect((error as Error).message).toContain(
      'no line matching /listening/ on stdout within 300 ms; still running',
    );
    expect((error as Error).message).toContain('stdout (last 4000 characters):\n');
    expect((error as Error).message).toMatch(/x{100}END\n/);
    expect((error as Error).message).not.toContain('x'.repeat(4001));
    expect((error as Error).message).toContain('stderr:\nwarming up');
    expect(started.child.exitCode).toBeNull();
    started.child.kill('SIGTERM');
    expect(await started.exited).toMatchObject({ signal: 'SIGTERM', timedOut: false });
  });

  it('rejects like startProcess when the command cannot be started', async () => {
    const started = startProcess('/nonexistent/c2c-no-such-command', [], { timeoutMs: 20_000 });
    await expect(waitForLine(started, /x/, { timeoutMs: 20_000 })).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(started.exited).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

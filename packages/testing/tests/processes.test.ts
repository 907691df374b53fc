import { describe, expect, it } from 'vitest';
import { until } from '../src/polling.js';
import { runProcess, startProcess } from '../src/processes.js';

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

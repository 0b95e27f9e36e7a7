import { execa } from 'execa';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, cliPath, initWorkspace, KEY, repoRoot, runInPty, type CliWorkspace } from './cli.js';

// Real RabbitMQ at 127.0.0.1:5672. The starter fails its first step within a few seconds, and
// the reference solution passes in about seven on two cores.
const EXERCISE = '01-work-queue';
const templates = path.join(repoRoot, 'templates', 'day4', 'exercises', EXERCISE);
const solutionFile = path.join(templates, 'solution', 'worker.ts');
const starterFile = path.join(templates, 'starter', 'worker.ts');
const FAILED = `✗ ${EXERCISE} failed\\.`;
const PASSED = `✓ ${EXERCISE} passed\\.`;

describe('watch (built CLI, real RabbitMQ)', () => {
  let workspace: CliWorkspace;
  const worker = () => path.join(workspace.root, 'exercises', EXERCISE, 'worker.ts');
  beforeAll(async () => {
    workspace = await initWorkspace();
  });
  afterAll(() => workspace?.cleanup());
  afterEach(() => copyFileSync(starterFile, worker()));

  it('re-runs on save, Enter moves on after a pass', async () => {
    const result = await runInPty(
      ['watch'],
      [
        { expect: `Watching exercises/${EXERCISE} \\(file events\\)` },
        { expect: FAILED, copy: [solutionFile, worker()] },
        { expect: PASSED, send: KEY.enter, timeout: 90 },
        // Another exercise may follow 01 in the catalog; quitting there ends the test the same way.
        { expect: `Every exercise of day4 passed|Watching exercises/0[2-9]`, send: 'q' },
      ],
      { cwd: workspace.root },
    );
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(workspace.readProgress().exercises[EXERCISE]).toMatchObject({ state: 'passed', attempts: 2 });
  });

  it('q quits with exit 0', async () => {
    const result = await runInPty(['watch', EXERCISE], [{ expect: FAILED, send: 'q' }], { cwd: workspace.root });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
  });

  it('Ctrl-C while waiting exits 130', async () => {
    const result = await runInPty(['watch', EXERCISE], [{ expect: FAILED, send: KEY.ctrlC }], { cwd: workspace.root });
    expect(result.exitCode, result.stdout + result.stderr).toBe(130);
  });

  it('Ctrl-C during a run exits 130 after teardown', async () => {
    const result = await runInPty(['watch', EXERCISE], [{ expect: `Watching exercises/${EXERCISE}`, send: KEY.ctrlC }], { cwd: workspace.root });
    expect(result.exitCode, result.stdout + result.stderr).toBe(130);
    expect(result.stdout).toMatch(/Interrupted: run mqc-01-[0-9a-f]+ was stopped; its queues, exchanges, topics, consumer groups and processes were removed\./);
  });

  it('polls without a terminal, SIGINT exits 130', async () => {
    const child = execa(process.execPath, [cliPath, 'watch', EXERCISE], {
      cwd: workspace.root,
      env: cliEnv({ MQ_COURSE_WATCH_POLL: '1' }),
      extendEnv: false,
      stdin: 'ignore',
      reject: false,
    });
    let stdout = '';
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${stdout}`)), 90_000);
        const onData = () => {
          if (!pattern.test(stdout)) return;
          clearTimeout(timer);
          child.stdout!.off('data', onData);
          resolve();
        };
        child.stdout!.on('data', onData);
        onData();
      });
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));

    await seen(new RegExp(FAILED));
    expect(stdout).toContain(`Watching exercises/${EXERCISE} (polling every 0.5 s)`);
    copyFileSync(solutionFile, worker());
    await seen(new RegExp(PASSED));
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, stdout + result.stderr).toBe(130);
  });
});

import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { leftoversOf } from '../helpers/leftovers.js';

let parent: string;
let solutions: string;
let starters: string;

beforeAll(async () => {
  parent = mkdtempSync(path.join(os.tmpdir(), 'mq-course-check-'));
  await runCli(['init', 'solutions', '--yes', '--with-solutions'], { cwd: parent });
  await runCli(['init', 'starters', '--yes'], { cwd: parent });
  solutions = path.join(parent, 'solutions');
  starters = path.join(parent, 'starters');
});
afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('mq-course check', () => {
  it('passes on the reference solution', async () => {
    const result = await runCli(['check', 'day4', '01'], { cwd: solutions });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/✓ two workers share 20 tasks/);
    expect(result.stdout).toMatch(/All checks passed/);
  });

  it('fails on the starter with a next step', async () => {
    const result = await runCli(['check', 'day4', '01-work-queue'], { cwd: starters });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/✗ worker registers a consumer/);
    expect(result.stdout).toMatch(/next: +call channel\.consume/);
    expect(result.stdout).toMatch(/worker-a │ worker\.ts: TODO 1 and TODO 2 are not done yet/);
    // Clickable in editors and terminals: the path and the line of the first TODO.
    const todoLine = readFileSync(path.join(starters, 'exercises/01-work-queue/worker.ts'), 'utf8').split('\n').findIndex((line) => line.includes('TODO')) + 1;
    expect(todoLine).toBeGreaterThan(1);
    expect(result.stdout).toContain(`Your code: exercises/01-work-queue/worker.ts:${todoLine}`);
  });

  it('prints only JSON with --json', async () => {
    const result = await runCli(['check', 'day4', '05', '--json'], { cwd: solutions });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe('passed');
    expect(report.exercises[0].steps.map((step: { status: string }) => step.status)).toEqual(['passed', 'passed']);
  });

  it('rejects an unknown exercise with exit 2', async () => {
    const result = await runCli(['check', 'day4', '42-nothing'], { cwd: solutions });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/Unknown exercise "42-nothing" in day4/);
    expect(result.stderr).toMatch(/01-work-queue/);
  });

  it('rejects an unknown day with exit 2', async () => {
    const result = await runCli(['check', 'day9'], { cwd: solutions });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/Unknown day "day9"/);
  });

  it('needs a workspace: exit 3', async () => {
    const result = await runCli(['check', 'day4'], { cwd: parent });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/No mq-course workspace found/);
    expect(result.stderr).toMatch(/mq-course init/);
  });

  it('says how to start brokers that are down: exit 3', async () => {
    const result = await runCli(['check', 'day4', '01'], { cwd: solutions, env: { AMQP_URL: 'amqp://guest:guest@127.0.0.1:1' } });
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/RabbitMQ is not responding/);
    expect(result.stderr).toMatch(/mq-course up rabbitmq/);
  });

  it('cleans up after Ctrl-C: exit 130', async () => {
    const child = execa(process.execPath, [BIN, 'check', 'day4', '01'], { cwd: solutions, env: { NO_COLOR: '1' }, stdin: 'ignore', reject: false });
    let output = '';
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        // Interrupt in the middle of the run, with workers running and queues declared.
        if (output.includes('✓ two workers share')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    const runId = /Interrupted: run (mqc-01-[0-9a-f]+)/.exec(String(result.stderr))?.[1];
    expect(runId, String(result.stderr)).toBeDefined();
    expect(await leftoversOf(runId!, solutions)).toEqual([]);
  });
});

describe('mq-course wiring', () => {
  it('prints help fast and exits 0', async () => {
    const result = await runCli(['--help'], { cwd: os.tmpdir() });
    expect(result.exitCode).toBe(0);
    for (const command of ['init', 'up', 'down', 'status', 'check']) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('rejects an unknown option with exit 2', async () => {
    const result = await runCli(['check', 'day4', '--bogus'], { cwd: os.tmpdir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('rejects an unknown command with exit 2', async () => {
    const result = await runCli(['chek'], { cwd: os.tmpdir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/Did you mean check\?/);
  });
});

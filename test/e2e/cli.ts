import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Helpers for end-to-end tests: the built CLI as a subprocess, in temp workspaces. */

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cliPath = path.join(repoRoot, 'bin', 'mq-course.js');
const ptyDriver = fileURLToPath(new URL('./pty-run.py', import.meta.url));

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    }),
  );
}

/** Fails fast with the fix when dist/ is missing or older than src/, instead of testing stale code. */
export function assertBuilt(): void {
  const built = path.join(repoRoot, 'dist', 'src', 'cli.js');
  let builtAt = 0;
  try {
    builtAt = newestMtime(path.join(repoRoot, 'dist', 'src'));
  } catch {
    throw new Error(`${built} is missing: run \`npm run build\` before the end-to-end tests.`);
  }
  if (newestMtime(path.join(repoRoot, 'src')) > builtAt) throw new Error('dist/ is older than src/: run `npm run build` before the end-to-end tests.');
}

/** Builds the CLI's environment: no colour, and no CI variable, so a pseudo-terminal counts as interactive. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...extra };
  delete env.CI;
  delete env.FORCE_COLOR;
  return env;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI with stdin closed, as a script or CI would. */
export async function runCli(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const result = await execa(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: cliEnv(options.env), extendEnv: false, stdin: 'ignore', reject: false, timeout: 180_000 });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface PtyStep {
  /** A regular expression awaited in the output that follows the previous step's match. */
  expect: string;
  send?: string;
  /** Copies a file over another once `expect` matched, as a learner saving a file would. */
  copy?: [from: string, to: string];
  timeout?: number;
}

/** Keys as a terminal sends them. */
export const KEY = { enter: '\r', down: '\u001b[B', ctrlC: '\u0003' } as const;

/** Runs the built CLI in a pseudo-terminal, answering prompts as listed; output has ANSI codes removed. */
export async function runInPty(args: string[], steps: PtyStep[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  const result = await execa('python3', [ptyDriver, JSON.stringify(steps), '--', process.execPath, cliPath, ...args], {
    cwd: options.cwd,
    env: cliEnv(options.env),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: 300_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A temp folder with a workspace made by the built CLI's `init --yes`. */
export interface CliWorkspace {
  parent: string;
  root: string;
  progressFile: string;
  cleanup(): void;
  run(args: string[], env?: Record<string, string>): Promise<CliResult>;
  writeProgress(progress: unknown): void;
  readProgress(): any;
}

export async function initWorkspace(options: { withSolutions?: boolean } = {}): Promise<CliWorkspace> {
  assertBuilt();
  const parent = mkdtempSync(path.join(os.tmpdir(), 'mq-course-e2e-'));
  const result = await runCli(['init', 'ws', '--yes', ...(options.withSolutions ? ['--with-solutions'] : [])], { cwd: parent });
  if (result.exitCode !== 0) throw new Error(`init failed (${result.exitCode}): ${result.stderr}`);
  const root = path.join(parent, 'ws');
  const progressFile = path.join(root, '.mq-course', 'progress.json');
  return {
    parent,
    root,
    progressFile,
    cleanup: () => rmSync(parent, { recursive: true, force: true }),
    run: (args, env) => runCli(args, { cwd: root, env }),
    writeProgress: (progress) => {
      mkdirSync(path.dirname(progressFile), { recursive: true });
      writeFileSync(progressFile, typeof progress === 'string' ? progress : JSON.stringify(progress, null, 2));
    },
    readProgress: () => JSON.parse(readFileSync(progressFile, 'utf8')),
  };
}

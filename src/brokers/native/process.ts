import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { environmentError } from '../../errors.js';
import { isProcessAlive, processCommandLine, signalProcessTree } from './platform.js';

/** Contents of a pid file: `<pid>\n`, written by the runtime that started the process. */
export function readPidFile(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function writePidFile(file: string, pid: number): void {
  writeFileSync(file, `${pid}\n`);
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

/**
 * True when `pid` is alive and its command line contains every marker. The markers (main class,
 * config path) guard against a recycled pid that now belongs to an unrelated process.
 */
export async function isOurProcess(pid: number | undefined, markers: string[]): Promise<boolean> {
  if (pid === undefined || !isProcessAlive(pid)) return false;
  const commandLine = await processCommandLine(pid);
  return commandLine !== undefined && markers.every((marker) => commandLine.includes(marker));
}

/**
 * Starts a program detached in its own process group, so it survives the CLI's exit and Ctrl-C,
 * with stdout and stderr appended to `logFile`. Returns its pid.
 */
export function spawnDetached(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string }): Promise<number> {
  const log = openSync(options.logFile, 'a');
  try {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', log, log], windowsHide: true });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => {
        child.unref();
        resolve(child.pid!);
      });
    });
  } finally {
    closeSync(log);
  }
}

/** Waits until `pid` has exited, polling every 100 ms. Returns false when it is still alive at the deadline. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Stops a process tree: SIGTERM, then SIGKILL when it has not exited after `graceMs`. Returns how it ended. */
export async function stopProcessTree(pid: number, graceMs: number): Promise<'terminated' | 'killed'> {
  await signalProcessTree(pid, 'SIGTERM');
  if (await waitForExit(pid, graceMs)) return 'terminated';
  await signalProcessTree(pid, 'SIGKILL');
  await waitForExit(pid, 5000);
  return 'killed';
}

// A lock file without a pid is still being written, unless it is older than this, which means its writer crashed.
const UNWRITTEN_LOCK_MS = 5000;

/**
 * Runs `task` while holding an exclusive lock file that contains the holder's pid, so two `up`
 * runs at once never start two brokers for one state folder. The second waits, then finds the
 * broker running. A lock whose holder has exited is taken over.
 */
export async function withLockFile<T>(file: string, onWait: (holder: number) => void, task: () => Promise<T>, maxWaitMs = 15 * 60_000): Promise<T> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readPidFile(file);
    if (holder === undefined ? isOlderThan(file, UNWRITTEN_LOCK_MS) : !isProcessAlive(holder)) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw environmentError(`Another mq-course (pid ${holder ?? 'unknown'}) has held ${file} for over ${maxWaitMs / 60_000} minutes.`, `stop that process, or remove ${file} if it is gone`);
    }
    if (holder !== undefined) onWait(holder);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  try {
    return await task();
  } finally {
    rmSync(file, { force: true });
  }
}

function isOlderThan(file: string, ageMs: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ageMs;
  } catch {
    return true;
  }
}

import { execa, type ResultPromise } from 'execa';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { environmentError } from '../errors.js';
import { killTree } from '../platform.js';
import { fail } from './failure.js';

const MAX_OUTPUT_LINES = 2000;
const MAX_LINE_LENGTH = 2000;

/** One JSON line the learner program printed, e.g. {"event":"received","id":"t-3"}, with its arrival time. */
export interface LearnerEvent {
  event: string;
  [field: string]: unknown;
  /** Milliseconds since the check run started. */
  at: number;
}

export interface OutputLine {
  at: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface SpawnOptions {
  /** Label in the report, e.g. "worker-a". */
  name: string;
  /** Path of the program, relative to the workspace root. */
  file: string;
  env: Record<string, string>;
  /** Text written to stdin, then stdin is closed. Leave undefined to keep stdin open. */
  input?: string;
  /** The program is expected to exit on its own (a producer); its exit then fails no step. */
  exits?: boolean;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  at: number;
}

/** Resolves the workspace's own tsx loader so learner programs run with the workspace's packages. */
export function tsxLoader(workspaceRoot: string): string {
  try {
    return pathToFileURL(createRequire(path.join(workspaceRoot, 'package.json')).resolve('tsx')).href;
  } catch {
    throw environmentError(
      `tsx is not installed in the workspace ${workspaceRoot}, so the exercises cannot run.`,
      'run `mq-course init .` in the workspace: it restores node_modules and keeps your files',
    );
  }
}

/**
 * A learner program running as a black box: its own process group (so a kill reaches tsx and
 * node alike), JSON-line events parsed from stdout, every output line kept for the report.
 */
export class LearnerProcess {
  readonly events: LearnerEvent[] = [];
  readonly output: OutputLine[] = [];
  exit?: ExitInfo;
  /** Set when the checker itself stopped the program, so the exit is no failure. */
  stoppedByChecker = false;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ResultPromise;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly options: SpawnOptions,
    workspaceRoot: string,
    private readonly clock: () => number,
  ) {
    this.child = execa(process.execPath, ['--import', tsxLoader(workspaceRoot), options.file], {
      cwd: workspaceRoot,
      env: { ...options.env, FORCE_COLOR: '0', NODE_NO_WARNINGS: '1' },
      extendEnv: true,
      detached: process.platform !== 'win32',
      buffer: false,
      reject: false,
      stdin: 'pipe',
      stripFinalNewline: false,
    });
    if (options.input !== undefined) {
      // A program that exits before reading all its input closes the pipe; that is its own failure, not ours.
      this.child.stdin?.on('error', () => {});
      this.child.stdin?.end(options.input);
    }
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.collect(this.child.stdout, 'stdout');
    this.collect(this.child.stderr, 'stderr');
    this.exited = this.child.then((result) => {
      this.exit = { code: result.exitCode ?? null, signal: result.signal ?? null, at: this.clock() };
      this.notify();
      return this.exit;
    });
  }

  get name(): string {
    return this.options.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  private collect(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    let pending = '';
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.addLine(name, line.replace(/\r$/, ''));
      // Output without newlines would otherwise grow this buffer without bound.
      if (pending.length > 64 * 1024) {
        this.addLine(name, pending);
        pending = '';
      }
    });
    stream.on('end', () => {
      if (pending) this.addLine(name, pending);
      pending = '';
    });
  }

  private addLine(stream: 'stdout' | 'stderr', line: string): void {
    const at = this.clock();
    // A program that floods its output must not exhaust the checker's memory: the report shows
    // only the tail, so only the tail is kept.
    this.output.push({ at, stream, line: line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)} … (${line.length - MAX_LINE_LENGTH} more characters)` : line });
    if (this.output.length > MAX_OUTPUT_LINES) this.output.splice(0, this.output.length - MAX_OUTPUT_LINES);
    if (stream === 'stdout' && line.startsWith('{')) {
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        if (typeof parsed.event === 'string') this.events.push({ ...parsed, event: parsed.event, at });
      } catch {
        // Not an event line; it stays in the output.
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  /** Resolves when `predicate` holds, checked on every new line and on exit. */
  async waitFor<T>(predicate: () => T | undefined | false, timeoutMs: number, onTimeout: () => never): Promise<T> {
    const now = predicate();
    if (now) return now;
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        let value: T | undefined | false;
        try {
          value = predicate();
        } catch (error) {
          done();
          reject(error);
          return;
        }
        if (value) {
          done();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        done();
        try {
          onTimeout();
        } catch (error) {
          reject(error);
        }
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  /** Waits for an event that matches; fails the step with `description` after `timeoutMs`. */
  waitForEvent(match: (event: LearnerEvent) => boolean, timeoutMs: number, description: string): Promise<LearnerEvent> {
    return this.waitFor(
      () => this.events.find(match),
      timeoutMs,
      () => fail(`${this.name} did not report ${description} within ${(timeoutMs / 1000).toFixed(1)} s.`),
    );
  }

  /** Waits for the program to exit by itself; fails the step if it is still running after `timeoutMs`. */
  async waitForExit(timeoutMs: number): Promise<ExitInfo> {
    return this.waitFor(
      () => this.exit,
      timeoutMs,
      () => fail(`${this.name} was still running ${(timeoutMs / 1000).toFixed(1)} s after its input ended; it must exit when its work is done.`),
    );
  }

  /**
   * Signals the program's whole process group. Also after the program itself has exited: a child
   * it started (and did not wait for) is still in the group, and teardown must end it too.
   */
  async kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    if (this.pid === undefined) return;
    if (this.running) this.stoppedByChecker = true;
    await killTree(this.pid, signal);
  }

  /** SIGTERM, then SIGKILL if the program has not exited after `graceMs`. */
  async stop(graceMs = 3000): Promise<ExitInfo> {
    await this.kill('SIGTERM');
    const timer = setTimeout(() => void this.kill('SIGKILL'), graceMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  write(text: string): void {
    this.child.stdin?.write(text);
  }

  endInput(): void {
    this.child.stdin?.end();
  }

  /** Returns the last lines of output, for the report. */
  tail(lines = 30): OutputLine[] {
    return this.output.slice(-lines);
  }
}

/** Waits until any of the programs reports a matching event; returns the first program and its event. */
export async function waitForAnyEvent(
  programs: LearnerProcess[],
  match: (event: LearnerEvent) => boolean,
  timeoutMs: number,
  description: string,
): Promise<[LearnerProcess, LearnerEvent]> {
  const find = (): [LearnerProcess, LearnerEvent] | undefined => {
    for (const program of programs) {
      const event = program.events.find(match);
      if (event) return [program, event];
    }
    return undefined;
  };
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = find();
      if (!found) return;
      cleanup();
      resolve(found);
    };
    const timer = setInterval(check, 20);
    const deadline = setTimeout(() => {
      cleanup();
      try {
        fail(`None of ${programs.map((program) => program.name).join(', ')} reported ${description} within ${(timeoutMs / 1000).toFixed(1)} s.`);
      } catch (error) {
        reject(error);
      }
    }, timeoutMs);
    const cleanup = () => {
      clearInterval(timer);
      clearTimeout(deadline);
    };
    check();
  });
}

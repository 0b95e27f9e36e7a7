// Operating-system differences of the native runtime, kept in one place: finding executables,
// inspecting and signalling processes, and naming the process that listens on a port.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

const isWindows = process.platform === 'win32';

/** Finds an executable on the PATH of `env`, the way a shell would. Returns undefined when it is missing. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  const directories = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  const extensions = isWindows ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const directory of directories) {
    for (const extension of extensions) {
      const candidate = path.join(directory, name + extension);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

function isExecutableFile(file: string): boolean {
  try {
    const stats = statSync(file);
    return stats.isFile() && (isWindows || (stats.mode & 0o111) !== 0);
  } catch {
    return false;
  }
}

/** True while a process with this pid exists (signal 0 checks without sending anything). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Returns the command line of a running process, or undefined when it cannot be read. */
export async function processCommandLine(pid: number): Promise<string | undefined> {
  if (process.platform === 'linux') {
    const file = `/proc/${pid}/cmdline`;
    if (!existsSync(file)) return undefined;
    try {
      return readFileSync(file, 'utf8').split('\0').join(' ').trim();
    } catch {
      return undefined;
    }
  }
  if (isWindows) {
    const result = await execa('wmic', ['process', 'where', `ProcessId=${pid}`, 'get', 'CommandLine', '/value'], { reject: false });
    return result.exitCode === 0 ? result.stdout.replace(/^\s*CommandLine=/m, '').trim() : undefined;
  }
  const result = await execa('ps', ['-p', String(pid), '-o', 'command='], { reject: false });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/**
 * Sends a signal to a process and the process group it leads. The native runtime starts
 * brokers detached, so each leads its own group; Windows has no groups, so taskkill ends the tree.
 */
export async function signalProcessTree(pid: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (isWindows) {
    await execa('taskkill', ['/pid', String(pid), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])], { reject: false });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

export interface Listener {
  command: string;
  pid: number;
}

/**
 * Finds the process listening on a TCP port when a cheap tool can tell: `ss` on Linux, `lsof`
 * elsewhere. Returns undefined when neither is available or both are silent (another user's process).
 */
export async function findListener(port: number, env: NodeJS.ProcessEnv): Promise<Listener | undefined> {
  if (process.platform === 'linux' && findExecutable('ss', env)) {
    const result = await execa('ss', ['-ltnpH', `sport = :${port}`], { reject: false, env, extendEnv: false, timeout: 5000 });
    const match = /users:\(\("([^"]+)",pid=(\d+)/.exec(result.stdout ?? '');
    return match ? { command: match[1], pid: Number(match[2]) } : undefined;
  }
  if (!isWindows && findExecutable('lsof', env)) {
    const result = await execa('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fcp'], { reject: false, env, extendEnv: false, timeout: 5000 });
    const pid = /^p(\d+)/m.exec(result.stdout ?? '')?.[1];
    const command = /^c(.+)$/m.exec(result.stdout ?? '')?.[1];
    if (pid && command) return { command, pid: Number(pid) };
  }
  return undefined;
}

/** Names the process listening on a port for an error message, e.g. `node (pid 1234)`. */
export async function describeListener(port: number, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const listener = await findListener(port, env);
  return listener && `${listener.command} (pid ${listener.pid})`;
}

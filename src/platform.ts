// Everything that differs between Linux, macOS and Windows lives here.
import { execa } from 'execa';

export const isWindows = process.platform === 'win32';

/**
 * Sends a signal to a process and all its children. On POSIX the learner program is started as a
 * process-group leader, so the negative pid reaches tsx, node and anything they spawned. Windows
 * has no process groups or signals: taskkill /T ends the tree, and /F makes it a hard kill.
 */
export async function killTree(pid: number, signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
  if (isWindows) {
    const args = ['/PID', String(pid), '/T'];
    if (signal === 'SIGKILL') args.push('/F');
    await execa('taskkill', args, { reject: false });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Tests whether a process with this pid exists (signal 0 checks without sending a signal). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

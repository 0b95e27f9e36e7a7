import { readdirSync, statSync, unwatchFile, watch, watchFile, type FSWatcher } from 'node:fs';
import path from 'node:path';

export interface WatchOptions {
  /** Poll with fs.watchFile instead of file events (MQ_COURSE_WATCH_POLL=1). */
  poll?: boolean;
  /** Quiet time after the last change before onChange fires, in milliseconds. */
  debounceMs?: number;
  /** Polling interval, in milliseconds. */
  intervalMs?: number;
}

export interface FileWatcher {
  /** "events" for fs.watch, "polling" for fs.watchFile. */
  readonly mode: 'events' | 'polling';
  close(): void;
}

// Editors write these beside the real file while saving; they are not the learner's changes.
const EDITOR_TEMP = /(^\.#|~$|\.sw[a-p]$|^4913$|\.tmp$)/;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

/**
 * Calls onChange with the changed file names once the folder has been quiet for debounceMs.
 * Uses fs.watch (recursive; Linux needs Node 19.1 or later for that) and falls back to polling
 * with fs.watchFile when fs.watch throws or reports an error, as it can on WSL drives and some
 * container file systems. NOTE: polling watches the files that exist when it starts, so a file
 * added later is not seen until the watcher is restarted.
 */
export function watchFolder(dir: string, onChange: (files: string[]) => void, options: WatchOptions = {}): FileWatcher {
  const debounceMs = options.debounceMs ?? 300;
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const touch = (file: string) => {
    if (closed || EDITOR_TEMP.test(path.basename(file))) return;
    changed.add(file);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed];
      changed.clear();
      onChange(files);
    }, debounceMs);
  };

  let stop: () => void;
  let mode: FileWatcher['mode'] = 'events';
  const startPolling = () => {
    mode = 'polling';
    const files = listFiles(dir);
    const listener = (file: string) => (current: { mtimeMs: number }, previous: { mtimeMs: number }) => {
      if (current.mtimeMs !== previous.mtimeMs) touch(file);
    };
    const listeners = files.map((file) => [file, listener(file)] as const);
    for (const [file, onStat] of listeners) watchFile(file, { interval: options.intervalMs ?? 500 }, onStat);
    stop = () => listeners.forEach(([file, onStat]) => unwatchFile(file, onStat));
  };

  if (options.poll) startPolling();
  else {
    try {
      const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, name) => {
        if (name && !name.split(path.sep).some((part) => part === 'node_modules')) touch(path.join(dir, name.toString()));
      });
      watcher.on('error', () => {
        watcher.close();
        if (!closed) startPolling();
      });
      stop = () => watcher.close();
    } catch {
      startPolling();
    }
  }

  return {
    get mode() {
      return mode;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      stop();
    },
  };
}

/** True when the folder exists; the watch command checks it before it starts watching. */
export function isFolder(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { Io } from '../../ui/io.js';

// Enough bytes for a few hundred Kafka log lines without reading a large log whole.
const TAIL_BYTES = 256 * 1024;

/** Returns the last `count` lines of a text file, or '' when it does not exist. */
export function tailFile(file: string, count: number): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const start = Math.max(0, size - TAIL_BYTES);
  const text = readRange(file, start, size);
  const lines = text.replace(/\n$/, '').split('\n');
  // A partial first line from the middle of the file is dropped.
  if (start > 0) lines.shift();
  return lines.slice(-count).join('\n');
}

function readRange(file: string, start: number, end: number): string {
  const buffer = Buffer.alloc(end - start);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, start);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

/**
 * Prints what is appended to `file` from now on, polling twice a second (file events are
 * unreliable on network and WSL folders), until `signal` aborts. A truncated file is read from its start.
 */
export async function followFile(file: string, write: (text: string) => void, signal: AbortSignal): Promise<void> {
  let offset = existsSync(file) ? statSync(file).size : 0;
  while (!signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (!existsSync(file)) continue;
    const size = statSync(file).size;
    if (size < offset) offset = 0;
    if (size > offset) {
      write(readRange(file, offset, size).replace(/\n$/, ''));
      offset = size;
    }
  }
}

/** Prints a log's last lines (50 by default) and, with `follow`, what is appended until Ctrl-C. */
export async function showLog(file: string, io: Io, options: { follow?: boolean; lines?: number }): Promise<void> {
  io.err(`==> ${file} <==`);
  const tail = tailFile(file, options.lines ?? 50);
  if (tail) io.out(tail);
  if (!options.follow) return;

  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once('SIGINT', onInterrupt);
  try {
    await followFile(file, (text) => io.out(text), stop.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchFolder, type FileWatcher } from '../../src/course/file-watch.js';
import { EventQueue } from '../../src/course/event-queue.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchFolder', () => {
  let dir: string;
  let watcher: FileWatcher | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'mq-course-watch-'));
    writeFileSync(path.join(dir, 'worker.ts'), 'one');
  });
  afterEach(() => {
    watcher?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const poll of [false, true]) {
    it(`${poll ? 'polling' : 'file events'}: a burst of saves fires once`, async () => {
      const changes = new EventQueue<string[]>();
      watcher = watchFolder(dir, (files) => changes.push(files), { poll, debounceMs: 300, intervalMs: 50 });
      expect(watcher.mode).toBe(poll ? 'polling' : 'events');
      await sleep(100);
      for (const content of ['two', 'three', 'four']) {
        writeFileSync(path.join(dir, 'worker.ts'), content);
        await sleep(60);
      }
      expect(await changes.take()).toEqual([path.join(dir, 'worker.ts')]);
      await sleep(500);
      expect(changes.drain()).toEqual([]);
    });
  }

  it('ignores editor swap files', async () => {
    const changes = new EventQueue<string[]>();
    watcher = watchFolder(dir, (files) => changes.push(files), { debounceMs: 100 });
    writeFileSync(path.join(dir, '.worker.ts.swp'), 'x');
    writeFileSync(path.join(dir, 'worker.ts~'), 'x');
    await sleep(400);
    expect(changes.drain()).toEqual([]);
  });

  it('nothing fires after close', async () => {
    const changes = new EventQueue<string[]>();
    watcher = watchFolder(dir, (files) => changes.push(files), { debounceMs: 100 });
    watcher.close();
    writeFileSync(path.join(dir, 'worker.ts'), 'after');
    await sleep(400);
    expect(changes.drain()).toEqual([]);
  });
});

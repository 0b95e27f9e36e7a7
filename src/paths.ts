import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

/** Finds the mq-course package folder, from src/ under tests and from dist/src/ when built. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'mq-course') {
      cachedRoot = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('mq-course package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function templatesDir(): string {
  return path.join(packageRoot(), 'templates');
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).version;
}

/**
 * Returns the per-user folder for downloaded Kafka jars and the native brokers' data and logs.
 * MQ_COURSE_HOME overrides it; otherwise it follows XDG_CACHE_HOME, then ~/.cache.
 */
export function userStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MQ_COURSE_HOME) return path.resolve(env.MQ_COURSE_HOME);
  const cache = env.XDG_CACHE_HOME || (process.platform === 'win32' ? env.LOCALAPPDATA : undefined) || path.join(os.homedir(), '.cache');
  return path.join(cache, 'mq-course');
}

import { existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findExecutable } from '../../src/brokers/native/platform.js';

/** Creates a temp folder for one test file, removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Makes a folder holding links to only the named executables of this machine, for a PATH that
 * lacks the others (java without mvn, node without java).
 */
export function pathWith(parent: string, names: string[]): string {
  const dir = path.join(parent, `bin-${names.join('-')}`);
  mkdirSync(dir, { recursive: true });
  for (const name of names) {
    const target = findExecutable(name, process.env);
    if (!target) throw new Error(`${name} is not on this machine's PATH; the native runtime tests need it`);
    const link = path.join(dir, name);
    if (!existsSync(link)) symlinkSync(target, link);
  }
  return dir;
}

/**
 * Builds the environment of a command in a native runtime test: this machine's PATH and HOME (so mvn
 * reuses ~/.m2), a private MQ_COURSE_HOME, and whatever the test adds.
 */
export function nativeEnv(stateDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, MQ_COURSE_HOME: stateDir, NO_COLOR: '1' };
  for (const name of ['JAVA_HOME', 'MAVEN_OPTS', 'TMPDIR']) if (process.env[name]) env[name] = process.env[name];
  return { ...env, ...extra };
}

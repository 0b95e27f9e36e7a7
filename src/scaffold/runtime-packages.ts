import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../paths.js';

/** The packages learner programs import, and the editor types for them. */
export const LEARNER_PACKAGES = ['amqplib', 'kafkajs', 'tsx', 'better-sqlite3', '@types/node', '@types/better-sqlite3'];

// Needed only to build better-sqlite3 at install time; its binary is already built.
const INSTALL_ONLY = new Set(['prebuild-install']);

// Build leftovers of better-sqlite3 (its SQLite sources and object files): about 25 MB that no program loads.
const SKIPPED_FOLDERS = new Set(['deps', 'src', 'obj', 'obj.target', '.deps', 'sqlite3.a', 'test_extension.node']);

interface PackageManifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Finds where Node would load `name` from when required inside `fromDir`. */
function locatePackage(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface ResolvedPackage {
  name: string;
  version: string;
  dir: string;
}

/**
 * Lists the learner packages and everything they load at run time, as installed beside mq-course.
 * Optional dependencies count only where installed (esbuild's one binary for this platform).
 */
export function learnerPackageClosure(root = packageRoot()): ResolvedPackage[] {
  const found = new Map<string, ResolvedPackage>();
  const visit = (name: string, fromDir: string, optional: boolean) => {
    if (found.has(name) || INSTALL_ONLY.has(name)) return;
    const dir = locatePackage(name, fromDir);
    if (!dir) {
      if (optional) return;
      throw new Error(`The package ${name} is missing beside mq-course (looked from ${fromDir}); reinstall mq-course.`);
    }
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageManifest;
    found.set(name, { name, version: manifest.version, dir });
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir, false);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) visit(dependency, dir, true);
  };
  for (const name of LEARNER_PACKAGES) visit(name, root, false);
  return [...found.values()];
}

/**
 * Copies the packages into <workspace>/node_modules, so learner programs run offline and keep
 * working if mq-course's own install (an npx cache, say) is removed. A package already there at
 * the same version is left as it is.
 */
export function installLearnerPackages(workspaceRoot: string, packages = learnerPackageClosure()): { copied: string[]; kept: string[] } {
  const copied: string[] = [];
  const kept: string[] = [];
  for (const pkg of packages) {
    const target = path.join(workspaceRoot, 'node_modules', pkg.name);
    const manifest = path.join(target, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).version === pkg.version) {
      kept.push(pkg.name);
      continue;
    }
    cpSync(pkg.dir, target, {
      recursive: true,
      dereference: true,
      force: true,
      filter: (source) => !(pkg.name === 'better-sqlite3' && SKIPPED_FOLDERS.has(path.basename(source))) && path.basename(source) !== 'node_modules',
    });
    copied.push(pkg.name);
  }
  linkTsx(workspaceRoot);
  return { copied, kept };
}

/**
 * Creates node_modules/.bin/tsx, which npm would have made, so `npx tsx program.ts` runs offline
 * from the workspace. On Windows npm's shims are .cmd files; elsewhere a relative symlink.
 */
function linkTsx(workspaceRoot: string): void {
  const binDir = path.join(workspaceRoot, 'node_modules', '.bin');
  const cli = JSON.parse(readFileSync(path.join(workspaceRoot, 'node_modules', 'tsx', 'package.json'), 'utf8')).bin as string;
  mkdirSync(binDir, { recursive: true });
  if (process.platform === 'win32') {
    writeFileSync(path.join(binDir, 'tsx.cmd'), `@node "%~dp0\\..\\tsx\\${cli.replace(/^\.\//, '').replace(/\//g, '\\')}" %*\r\n`);
    return;
  }
  const link = path.join(binDir, 'tsx');
  rmSync(link, { force: true });
  symlinkSync(path.posix.join('..', 'tsx', cli), link);
  chmodSync(path.join(workspaceRoot, 'node_modules', 'tsx', cli), 0o755);
}

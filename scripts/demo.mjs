#!/usr/bin/env node
// The whole job end to end, as the README's first command runs it: start the brokers with the
// native runtime, scaffold a workspace with the reference solutions, and check the day in it.
// Usage: node scripts/demo.mjs [workspace folder]   (default: a new temp folder)
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'mq-course.js');
const workspace = path.resolve(process.argv[2] ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'mq-course-demo-')), 'day4'));

function run(args, cwd = process.cwd()) {
  console.log(`\n$ mq-course ${args.join(' ')}${cwd === process.cwd() ? '' : `   (in ${cwd})`}`);
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 70);
}

run(['up', '--runtime', 'native']);
run(['init', workspace, '--yes', '--with-solutions', '--runtime', 'native']);
run(['check', 'day4'], workspace);
console.log(`\nThe workspace stays in ${workspace}; the brokers keep running (stop them with: node bin/mq-course.js down --runtime native).`);

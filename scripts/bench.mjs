#!/usr/bin/env node
// Prints the speed figures of mq-course on this machine: CLI start-up, init, broker
// time-to-ready and each exercise's check time on its reference solution.
// Needs a build (npm run build) and the brokers up (mq-course up --runtime native).
// Usage: node scripts/bench.mjs [--runs N] [--skip-kafka-start]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'mq-course.js');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 10;
const env = { ...process.env, NO_COLOR: '1' };

/** Wall time of one command in milliseconds; throws with its output when it fails. */
function time(command, commandArgs, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0 && !options.allowFailure) throw new Error(`${command} ${commandArgs.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return { ms, result };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const rows = [];
const row = (what, value, note = '') => {
  rows.push([what, value, note]);
  console.log(`${what.padEnd(44)} ${value.padStart(10)}  ${note}`);
};
const ms = (value) => `${value.toFixed(0)} ms`;

console.log(`mq-course benchmark on ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}\n`);

const nodeBaseline = median(Array.from({ length: runs }, () => time(process.execPath, ['-e', '0']).ms));
const help = median(Array.from({ length: runs }, () => time(process.execPath, [bin, '--help']).ms));
row('node -e 0 (median)', ms(nodeBaseline), `${runs} runs`);
row('mq-course --help (median)', ms(help), `${(help / nodeBaseline).toFixed(2)}x node -e 0 (target: within 1.5x)`);

const parent = mkdtempSync(path.join(os.tmpdir(), 'mq-course-bench-'));
try {
  const inits = Array.from({ length: 3 }, (_, index) => time(process.execPath, [bin, 'init', `ws-${index}`, '--yes', '--with-solutions'], { cwd: parent }).ms);
  row('init --yes --with-solutions (median)', ms(median(inits)), '3 runs, fresh folders');
  const workspace = path.join(parent, 'ws-0');

  const rabbit = time(process.execPath, [bin, 'up', 'rabbitmq', '--runtime', 'native'], { cwd: workspace });
  row('RabbitMQ time-to-ready (running broker)', ms(rabbit.ms), 'up rabbitmq --runtime native: AMQP probe of the broker found running');

  if (!args.includes('--skip-kafka-start')) {
    // A second Kafka on other ports with its own state folder: a real cold start, jars from the local Maven repository.
    const home = path.join(parent, 'kafka-home');
    const kafkaEnv = { ...env, MQ_COURSE_HOME: home };
    const flags = ['--runtime', 'native', '--kafka-brokers', '127.0.0.1:29092'];
    const cold = time(process.execPath, [bin, 'up', 'kafka', ...flags], { env: kafkaEnv });
    row('Kafka time-to-ready (first start)', ms(cold.ms), 'jars copied from ~/.m2, storage formatted, JVM started');
    time(process.execPath, [bin, 'down', 'kafka', ...flags], { env: kafkaEnv });
    const warm = time(process.execPath, [bin, 'up', 'kafka', ...flags], { env: kafkaEnv });
    row('Kafka time-to-ready (restart)', ms(warm.ms), 'jars cached, log folder formatted');
    time(process.execPath, [bin, 'down', 'kafka', ...flags], { env: kafkaEnv });
  }

  const list = JSON.parse(execFileSync(process.execPath, [bin, 'check', 'day4', '--json', '--keep-going'], { cwd: workspace, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
  let total = 0;
  for (const exercise of list.exercises) {
    total += exercise.durationMs;
    row(`check day4 ${exercise.exercise}`, ms(exercise.durationMs), exercise.status === 'passed' ? 'reference solution, warm brokers' : `FAILED: ${exercise.steps.find((step) => step.status === 'failed')?.message}`);
  }
  row('check day4 (all exercises)', ms(total), `${list.exercises.length} exercises, status ${list.status}`);
} finally {
  rmSync(parent, { recursive: true, force: true });
}

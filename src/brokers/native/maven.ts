// Supplies the Kafka broker's classpath: $KAFKA_HOME/libs when set, else jars fetched once from
// Maven Central with `mvn` into the per-user cache, so later starts work offline.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { environmentError, usageError } from '../../errors.js';
import { findExecutable } from './platform.js';

// kafka_2.13 4.1.2 with its runtime scope is a runnable broker (checked: kafka.Kafka and
// kafka.tools.StorageTool both start). Kafka 4.1 still logs through the slf4j 1.7 API
// (slf4j-api 1.7.36 arrives with it), so the log4j2 binding is log4j-slf4j-impl, not log4j-slf4j2-impl.
export const DEFAULT_KAFKA_VERSION = '4.1.2';
const LOG4J_VERSION = '2.25.3';
const MARKER_FILE = 'libs.complete.json';
// A first fetch downloads about 43 MB (Kafka 4.1.2), so allow for a slow network.
const MAVEN_TIMEOUT_MS = 15 * 60_000;

export interface KafkaLibs {
  /** Folder of jars; the classpath is `<dir>/*`. */
  dir: string;
  version: string;
  source: 'KAFKA_HOME' | 'cache' | 'maven';
}

/** The Kafka version to fetch: MQ_COURSE_KAFKA_VERSION, else the tested default. */
export function kafkaVersion(env: NodeJS.ProcessEnv): string {
  const version = env.MQ_COURSE_KAFKA_VERSION || DEFAULT_KAFKA_VERSION;
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw usageError(`Invalid MQ_COURSE_KAFKA_VERSION "${version}": expected a release such as ${DEFAULT_KAFKA_VERSION}.`, `unset it to use Kafka ${DEFAULT_KAFKA_VERSION}`);
  }
  return version;
}

/** Returns the folder that contains one Kafka version's pom, jars and completion marker. */
export function kafkaCacheDir(stateDir: string, version: string): string {
  return path.join(stateDir, 'kafka', version);
}

/** Returns the Kafka jars to run, fetching them with mvn only when KAFKA_HOME is unset and the cache is incomplete. */
export async function ensureKafkaLibs(stateDir: string, env: NodeJS.ProcessEnv, onFetch: (version: string) => void): Promise<KafkaLibs> {
  if (env.KAFKA_HOME) return kafkaHomeLibs(env.KAFKA_HOME);

  const version = kafkaVersion(env);
  const cacheDir = kafkaCacheDir(stateDir, version);
  const libsDir = path.join(cacheDir, 'libs');
  if (isCacheComplete(cacheDir, libsDir)) return { dir: libsDir, version, source: 'cache' };

  const mvn = findExecutable('mvn', env);
  if (!mvn) {
    throw environmentError(
      `Maven (mvn) was not found on the PATH. It is needed once to fetch the Kafka ${version} jars into ${libsDir}.`,
      'install Maven (Debian/Ubuntu: apt-get install maven; macOS: brew install maven; Windows: winget install Apache.Maven), or set KAFKA_HOME to an unpacked Apache Kafka 4.x',
    );
  }
  onFetch(version);
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(path.join(cacheDir, 'pom.xml'), pomFor(version));
  const result = await execa(
    mvn,
    ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${libsDir}`],
    { cwd: cacheDir, env, extendEnv: false, reject: false, all: true, timeout: MAVEN_TIMEOUT_MS },
  );
  if (result.exitCode !== 0 || result.timedOut) {
    const output = lastLines(result.all ?? '', 20);
    throw environmentError(
      `mvn could not fetch org.apache.kafka:kafka_2.13:${version} into ${libsDir} (${result.timedOut ? 'timed out' : `exit code ${result.exitCode}`}).${output ? `\n${output}` : ''}`,
      'check that Maven Central is reachable (proxy settings in ~/.m2/settings.xml), then run `mq-course up kafka --runtime native` again; or set KAFKA_HOME',
    );
  }
  const jars = readdirSync(libsDir).filter((name) => name.endsWith('.jar'));
  // The marker lists the jars, so a folder emptied or pruned later is fetched again.
  writeFileSync(path.join(cacheDir, MARKER_FILE), JSON.stringify({ version, jars, fetchedAt: new Date().toISOString() }, null, 2) + '\n');
  return { dir: libsDir, version, source: 'maven' };
}

function isCacheComplete(cacheDir: string, libsDir: string): boolean {
  const marker = path.join(cacheDir, MARKER_FILE);
  if (!existsSync(marker)) return false;
  try {
    const { jars } = JSON.parse(readFileSync(marker, 'utf8')) as { jars?: string[] };
    return Array.isArray(jars) && jars.length > 0 && jars.every((jar) => existsSync(path.join(libsDir, jar)));
  } catch {
    return false;
  }
}

function kafkaHomeLibs(kafkaHome: string): KafkaLibs {
  const dir = path.join(kafkaHome, 'libs');
  const coreJar = existsSync(dir) ? readdirSync(dir).find((name) => /^kafka_2\.\d+-.+\.jar$/.test(name) && !name.includes('-test')) : undefined;
  if (!coreJar) {
    throw environmentError(`KAFKA_HOME is ${kafkaHome}, but ${dir} has no kafka_2.x jar.`, 'point KAFKA_HOME at an unpacked Apache Kafka 4.x folder, or unset it to fetch the jars with mvn');
  }
  const version = /^kafka_2\.\d+-(.+)\.jar$/.exec(coreJar)![1];
  return { dir, version, source: 'KAFKA_HOME' };
}

function pomFor(version: string): string {
  const dependency = (groupId: string, artifactId: string, dependencyVersion: string) =>
    `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${dependencyVersion}</version></dependency>`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!-- Written by mq-course: the Kafka broker classpath, gathered by mvn dependency:copy-dependencies. -->',
    '<project xmlns="http://maven.apache.org/POM/4.0.0">',
    '  <modelVersion>4.0.0</modelVersion>',
    '  <groupId>mq-course.local</groupId>',
    '  <artifactId>kafka-broker-classpath</artifactId>',
    `  <version>${version}</version>`,
    '  <packaging>pom</packaging>',
    '  <dependencies>',
    dependency('org.apache.kafka', 'kafka_2.13', version),
    dependency('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION),
    dependency('org.apache.logging.log4j', 'log4j-core', LOG4J_VERSION),
    '  </dependencies>',
    '</project>',
    '',
  ].join('\n');
}

export function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

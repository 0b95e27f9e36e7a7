import path from 'node:path';
import { execa } from 'execa';
import { environmentError } from '../../errors.js';
import { findExecutable } from './platform.js';

// Kafka 4.x brokers need Java 17 or newer (Kafka 4.0 release notes; the clients still run on 11).
export const MIN_JAVA_MAJOR = 17;

export const JAVA_INSTALL_HINT =
  'install a Java 17+ runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17; Windows: winget install EclipseAdoptium.Temurin.17.JRE), or set JAVA_HOME';

/** Finds `java`: JAVA_HOME/bin first, then the PATH. Throws an environment error (exit 3) when there is none. */
export function findJava(env: NodeJS.ProcessEnv): string {
  if (env.JAVA_HOME) {
    const fromHome = findExecutable('java', { ...env, PATH: path.join(env.JAVA_HOME, 'bin') });
    if (fromHome) return fromHome;
  }
  const java = findExecutable('java', env);
  if (!java) {
    const where = env.JAVA_HOME ? `in JAVA_HOME (${env.JAVA_HOME}/bin) or on the PATH` : 'on the PATH';
    throw environmentError(`Java was not found ${where}; the native runtime runs Kafka on the JVM.`, `${JAVA_INSTALL_HINT}; or use \`mq-course up --runtime docker\``);
  }
  return java;
}

/** Reads the major version from `java -version` (printed on stderr, e.g. `openjdk version "17.0.15"`). */
export async function javaMajorVersion(java: string, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const result = await execa(java, ['-version'], { env, extendEnv: false, reject: false, timeout: 30_000 });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}\n${result.stdout}`);
  if (!match) return undefined;
  // Java 8 and older report 1.x.
  return match[1] === '1' ? Number(match[2]) : Number(match[1]);
}

/** Throws an environment error when `java` is older than Kafka needs. An unreadable version is let through. */
export async function requireJavaVersion(java: string, env: NodeJS.ProcessEnv): Promise<void> {
  const major = await javaMajorVersion(java, env);
  if (major !== undefined && major < MIN_JAVA_MAJOR) {
    throw environmentError(`${java} is Java ${major}, but Kafka 4 needs Java ${MIN_JAVA_MAJOR} or newer.`, JAVA_INSTALL_HINT);
  }
}

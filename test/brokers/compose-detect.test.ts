import { afterEach, describe, expect, it } from 'vitest';
import { detectEngine, engineState, findComposeTool } from '../../src/brokers/compose/detect.js';
import { findTakenPort } from '../../src/brokers/compose/diagnose.js';
import { chooseRuntime } from '../../src/brokers/select.js';
import { fakeEngine, type FakeEngine, type Program, type Scenario } from '../fixtures/fake-engine/harness.js';

let engine: FakeEngine | undefined;
afterEach(() => {
  engine?.cleanup();
  engine = undefined;
});

function setup(scenario: Scenario, programs: Program[]): FakeEngine {
  engine = fakeEngine(scenario, programs);
  return engine;
}

describe('detectEngine', () => {
  it('picks docker with the compose plugin', async () => {
    const fake = setup('ok', ['docker', 'podman']);
    expect(await detectEngine(fake.env)).toBe('docker');
    expect(fake.commandLines()).toEqual(['docker compose version', 'docker info --format {{.ServerVersion}}']);
  });

  it('tries the flavours in order', async () => {
    const fake = setup('no-compose', ['docker', 'podman', 'podman-compose']);
    expect(await detectEngine(fake.env)).toBe('podman');
    expect(fake.commandLines()).toEqual(['docker compose version', 'podman compose version', 'podman-compose version', 'podman info --format {{.Version.Version}}']);
  });

  it('takes docker-compose before podman', async () => {
    const fake = setup('no-compose', ['docker', 'docker-compose', 'podman', 'podman-compose']);
    expect(await detectEngine(fake.env)).toBe('docker');
    expect(fake.commandLines()).toEqual(['docker compose version', 'docker-compose version', 'docker info --format {{.ServerVersion}}']);
  });

  it('ignores a client whose engine is down', async () => {
    const fake = setup('engine-down', ['docker', 'podman']);
    expect(await detectEngine(fake.env)).toBeUndefined();
    expect(fake.commandLines()).toContain('docker info --format {{.ServerVersion}}');
    expect(fake.commandLines()).toContain('podman info --format {{.Version.Version}}');
  });

  it('finds nothing on an empty PATH', async () => {
    const fake = setup('ok', []);
    expect(await detectEngine(fake.env)).toBeUndefined();
    expect(fake.calls()).toEqual([]);
  });

  it('lets chooseRuntime fall back to native', async () => {
    const fake = setup('engine-down', ['docker']);
    expect(await chooseRuntime(undefined, undefined, fake.env)).toBe('native');
  });
});

describe('engineState and findComposeTool', () => {
  it('reports the server version', async () => {
    const fake = setup('ok', ['docker']);
    expect(await engineState('docker', fake.env)).toEqual({ engine: 'docker', installed: true, running: true, version: '28.2.2' });
    expect(await findComposeTool('docker', fake.env)).toMatchObject({ label: 'docker compose', version: 'Docker Compose version v2.36.2' });
  });

  it('tells installed from running', async () => {
    const fake = setup('engine-down', ['docker']);
    const state = await engineState('docker', fake.env);
    expect(state.installed).toBe(true);
    expect(state.running).toBe(false);
    expect(state.error).toContain('Cannot connect to the Docker daemon');
    expect((await engineState('podman', fake.env)).installed).toBe(false);
  });
});

describe('findTakenPort', () => {
  const cases: [string, string, number | undefined][] = [
    ['docker engine', 'Error response from daemon: driver failed programming external connectivity on endpoint mq-course-rabbitmq-1 (3f9c): Bind for 127.0.0.1:5672 failed: port is already allocated', 5672],
    ['docker desktop', 'Error response from daemon: Ports are not available: exposing port TCP 127.0.0.1:9092 -> 0.0.0.0:0: listen tcp 127.0.0.1:9092: bind: address already in use', 9092],
    ['podman', 'Error: rootlessport listen tcp 127.0.0.1:15672: bind: address already in use', 15672],
    ['userland proxy', 'Error starting userland proxy: listen tcp4 127.0.0.1:5672: bind: address already in use', 5672],
    ['other error', 'Error response from daemon: pull access denied for docker.io/apache/kafka', undefined],
  ];
  for (const [name, output, port] of cases) {
    it(`reads ${name} output`, () => {
      expect(findTakenPort(` Container x  Starting\n${output}\n`)).toBe(port);
    });
  }
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { packagedComposeFile, PUBLISHED_PORTS, readServiceImages, SERVICES } from '../../src/brokers/compose/project.js';

interface Service {
  image: string;
  ports: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  mem_limit?: string;
}

const file = packagedComposeFile();
const compose = parse(readFileSync(file, 'utf8')) as { name?: string; services: Record<string, Service>; volumes?: unknown };
const services = compose.services;

/** Splits "127.0.0.1:9092:9092" into its parts. */
function binding(port: string): { host: string; hostPort: number; containerPort: number } {
  const [host, hostPort, containerPort] = port.split(':');
  return { host, hostPort: Number(hostPort), containerPort: Number(containerPort) };
}

describe('packaged compose.yaml', () => {
  it('defines one service per broker', () => {
    expect(Object.keys(services).sort()).toEqual(Object.values(SERVICES).sort());
    expect(compose.name).toBe('mq-course');
  });

  it('pins fully qualified images', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toMatch(/^docker\.io\/[a-z0-9-]+\/[a-z0-9-]+:\d+\.\d+\.\d+(-[a-z]+)?$/);
      expect(service.image, name).not.toMatch(/:latest$/);
    }
    expect(services.rabbitmq.image).toMatch(/^docker\.io\/library\/rabbitmq:4\.\d+\.\d+-management$/);
    expect(services.kafka.image).toMatch(/^docker\.io\/apache\/kafka:4\.\d+\.\d+$/);
  });

  it('publishes every port on 127.0.0.1 only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports) {
        expect(port, name).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
      }
    }
  });

  it('publishes the ports the CLI expects', () => {
    for (const [broker, ports] of Object.entries(PUBLISHED_PORTS)) {
      const published = services[broker].ports.map((port) => binding(port).hostPort);
      expect(published.sort()).toEqual([...ports].sort());
    }
  });

  it('advertises Kafka on its published port', () => {
    const env = services.kafka.environment!;
    const listeners = new Map(env.KAFKA_LISTENERS.split(',').map((entry) => [entry.split('://')[0], Number(entry.split(':').pop())]));
    const advertised = env.KAFKA_ADVERTISED_LISTENERS.split(',').map((entry) => {
      const [name, address] = entry.split('://');
      const [host, port] = address.split(':');
      return { name, host, port: Number(port) };
    });
    const forHost = advertised.filter((entry) => entry.host === '127.0.0.1' || entry.host === 'localhost');
    expect(forHost).toHaveLength(1);
    const published = services.kafka.ports.map(binding);
    const mapping = published.find((entry) => entry.hostPort === forHost[0].port);
    expect(mapping, 'the advertised host port is published').toBeDefined();
    expect(listeners.get(forHost[0].name), 'the listener listens on the container port').toBe(mapping!.containerPort);

    const internal = advertised.filter((entry) => entry.host === 'kafka');
    expect(internal, 'a listener for other containers, under the service name').toHaveLength(1);
    expect(listeners.get(internal[0].name)).toBe(internal[0].port);
    expect(env.KAFKA_CONTROLLER_LISTENER_NAMES.split(',').every((name) => !forHost.concat(internal).some((entry) => entry.name === name))).toBe(true);
  });

  it('configures Kafka for one KRaft node', () => {
    const env = services.kafka.environment!;
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS).toBe('0');
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).toBe('1');
    expect(env.KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_HEAP_OPTS).toMatch(/-Xmx\d+m/);
    for (const value of Object.values(env)) expect(typeof value).toBe('string');
  });

  it('limits memory and checks health', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.mem_limit, name).toMatch(/^\d+[mg]$/);
      expect(service.healthcheck?.test.length, name).toBeGreaterThan(1);
    }
    expect(services.rabbitmq.healthcheck!.test).toContain('rabbitmq-diagnostics');
    expect(services.kafka.healthcheck!.test.join(' ')).toContain('/opt/kafka/bin/');
    expect(compose.volumes).toBeUndefined();
  });

  it('line scan reads the same images as the parser', () => {
    const scanned = readServiceImages(file);
    for (const [name, service] of Object.entries(services)) expect(scanned.get(name)).toBe(service.image);
  });
});

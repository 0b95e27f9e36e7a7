// The `native` runtime: RabbitMQ installed on this machine, and Kafka run as a JVM from
// KAFKA_HOME or from jars fetched once from Maven Central.
import type { BrokerStatus, Runtime } from '../runtime.js';
import { upKafka } from './kafka.js';
import { downKafka, kafkaLogs, kafkaStatus } from './kafka-control.js';
import { upRabbit } from './rabbitmq.js';
import { downRabbit, rabbitLogs, rabbitStatus } from './rabbitmq-control.js';

export const nativeRuntime: Runtime = {
  name: 'native',

  async up(brokers, context) {
    // One at a time: two JVM and Erlang boots at once on a 2-core laptop only slow each other.
    for (const broker of brokers) {
      if (broker === 'rabbitmq') await upRabbit(context);
      else await upKafka(context);
    }
  },

  async down(brokers, context) {
    for (const broker of brokers) {
      if (broker === 'rabbitmq') await downRabbit(context);
      else await downKafka(context);
    }
  },

  async status(brokers, context) {
    const statuses: BrokerStatus[] = [];
    for (const broker of brokers) statuses.push(broker === 'rabbitmq' ? await rabbitStatus(context) : await kafkaStatus(context));
    return statuses;
  },

  async logs(broker, context, options) {
    if (broker === 'rabbitmq') await rabbitLogs(context, options);
    else await kafkaLogs(context, options);
  },
};

import { Arrivals } from './arrivals.js';
import type { KafkaRecord } from './kafka.js';

/**
 * Records arriving on one topic, read from the beginning by a consumer of the checker that runs
 * until teardown (KafkaTools.collect). Records of one partition arrive in offset order.
 */
export class KafkaCollector extends Arrivals<KafkaRecord> {
  constructor(readonly topic: string) {
    super();
  }

  get records(): KafkaRecord[] {
    return this.items;
  }
}

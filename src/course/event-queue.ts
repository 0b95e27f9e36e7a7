/** An unbounded queue of events with an async take(), for loops that wait on several sources at once. */
export class EventQueue<Event> {
  private readonly pending: Event[] = [];
  private waiter?: (event: Event) => void;

  push(event: Event): void {
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = undefined;
      resolve(event);
    } else this.pending.push(event);
  }

  /** Resolves with the oldest pending event, or the next one pushed. */
  take(): Promise<Event> {
    const event = this.pending.shift();
    if (event !== undefined) return Promise.resolve(event);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /** Removes and returns every pending event without waiting. */
  drain(): Event[] {
    return this.pending.splice(0);
  }
}

/**
 * Lets calls that arrive together share one round trip: the items added in the same turn of the event loop
 * go to `run` as one list (at most `maxItems` at a time), and each caller gets its own item's answer. When
 * many people open a page at once, that is one query instead of one per request; under light load each
 * batch holds one item.
 */
export class TickBatch<Item, Answer> {
  private waiting: Array<{ item: Item; resolve: (answer: Answer) => void; reject: (error: unknown) => void }> = [];

  constructor(
    /** The answers, in the items' order. */
    private readonly run: (items: Item[]) => Promise<Answer[]>,
    private readonly maxItems = 200,
  ) {}

  add(item: Item): Promise<Answer> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(() => void this.flush());
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.maxItems) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    if (batch.length === 0) return;
    this.waiting = [];
    try {
      const answers = await this.run(batch.map((waiter) => waiter.item));
      batch.forEach((waiter, i) => waiter.resolve(answers[i]));
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  }
}

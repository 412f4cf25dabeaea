import { INestApplicationContext } from '@nestjs/common';
import { DiscoveryService, ModulesContainer } from '@nestjs/core';
import { QUEUE_NAMES } from './queues';
import { StartupError } from './startup-error';

/** What @Processor() records on its class (@nestjs/bullmq does not export the key; the unit test pins it). */
const PROCESSOR_METADATA = 'bullmq:processor_metadata';

/** The processor classes of an application context, by the queue each consumes. */
export function processorsByQueue(app: INestApplicationContext): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const wrapper of new DiscoveryService(app.get(ModulesContainer)).getProviders()) {
    // A factory provider's metatype is its factory, not a class that could carry @Processor().
    if (wrapper.inject || typeof wrapper.metatype !== 'function') continue;
    const queue = (Reflect.getMetadata(PROCESSOR_METADATA, wrapper.metatype) as { name?: string } | undefined)?.name;
    if (queue === undefined) continue;
    found.set(queue, [...(found.get(queue) ?? []), wrapper.metatype.name]);
  }
  return found;
}

/**
 * A queue without a processor keeps its jobs forever; one with two runs them twice as wide as intended.
 * Either is a wiring mistake, so the worker refuses to start and names the queue.
 */
export function assertOneProcessorPerQueue(app: INestApplicationContext, queues: readonly string[] = QUEUE_NAMES): void {
  const found = processorsByQueue(app);
  const problems = queues.flatMap((queue) => {
    const processors = found.get(queue) ?? [];
    if (processors.length === 0) return [`queue "${queue}" has no processor`];
    if (processors.length > 1) return [`queue "${queue}" has ${processors.length} processors (${processors.join(', ')})`];
    return [];
  });
  for (const queue of found.keys()) if (!queues.includes(queue)) problems.push(`processor for unknown queue "${queue}"`);
  if (problems.length > 0) throw new StartupError(`every queue needs exactly one processor: ${problems.join('; ')}`);
}

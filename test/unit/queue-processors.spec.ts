import 'reflect-metadata';
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { INestApplicationContext, Module, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { assertOneProcessorPerQueue, processorsByQueue } from '../../src/common/queue-processors.check';
import { StartupError } from '../../src/common/startup-error';

// Real @Processor() decorators, no BullModule: the check reads what the decorator records, so no Redis is needed.
@Processor('alpha')
class AlphaProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

@Processor('beta', { concurrency: 2 })
class BetaProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

@Processor({ name: 'beta' })
class SecondBetaProcessor extends WorkerHost {
  async process(): Promise<void> {}
}

class PlainService {}

async function contextOf(...providers: Type[]): Promise<INestApplicationContext> {
  @Module({ providers: [...providers, { provide: 'factory', useFactory: () => new PlainService() }] })
  class Feature {}
  @Module({ imports: [Feature] })
  class Root {}
  return NestFactory.createApplicationContext(Root, { logger: false });
}

describe('every queue has exactly one processor', () => {
  const contexts: INestApplicationContext[] = [];
  const start = async (...providers: Type[]) => {
    const context = await contextOf(...providers);
    contexts.push(context);
    return context;
  };
  afterAll(() => Promise.all(contexts.map((c) => c.close())));

  it('finds each processor class by the queue it consumes', async () => {
    const context = await start(AlphaProcessor, BetaProcessor, PlainService);
    expect(processorsByQueue(context)).toEqual(
      new Map([
        ['alpha', ['AlphaProcessor']],
        ['beta', ['BetaProcessor']],
      ]),
    );
    expect(() => assertOneProcessorPerQueue(context, ['alpha', 'beta'])).not.toThrow();
  });

  it('refuses a queue without a processor, naming it', async () => {
    const context = await start(AlphaProcessor);
    expect(() => assertOneProcessorPerQueue(context, ['alpha', 'beta'])).toThrow(StartupError);
    expect(() => assertOneProcessorPerQueue(context, ['alpha', 'beta'])).toThrow('queue "beta" has no processor');
  });

  it('refuses a queue with two processors, naming it and them', async () => {
    const context = await start(AlphaProcessor, BetaProcessor, SecondBetaProcessor);
    expect(() => assertOneProcessorPerQueue(context, ['alpha', 'beta'])).toThrow(
      'queue "beta" has 2 processors (BetaProcessor, SecondBetaProcessor)',
    );
  });

  it('refuses a processor for a queue that is not declared in common/queues', async () => {
    const context = await start(AlphaProcessor, BetaProcessor);
    expect(() => assertOneProcessorPerQueue(context, ['alpha'])).toThrow('processor for unknown queue "beta"');
  });
});

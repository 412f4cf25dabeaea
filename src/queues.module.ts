import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DEFAULT_JOB_OPTIONS, QUEUE_NAMES, redisConnection } from './common/queues';
import { RedisService } from './common/redis.provider';
import { APP_CONFIG } from './config/config.module';
import { AppConfig } from './config/env';

/** Redis: every BullMQ queue, and the plain connection for heartbeats and /health. The API and the worker only. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: redisConnection(config.redisUrl),
        prefix: config.queuePrefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
  ],
  providers: [RedisService],
  exports: [BullModule, RedisService],
})
export class QueuesModule {}

import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { RedisService } from './common/redis.provider';
import {
  BATCH_QUEUE,
  DEFAULT_JOB_OPTIONS,
  DOCUMENTS_QUEUE,
  MAIL_QUEUE,
  RENDER_QUEUE,
  SIGNING_QUEUE,
  redisConnection,
} from './common/queues';
import { APP_CONFIG, ConfigModule } from './config/config.module';
import { AppConfig } from './config/env';
import { dataSourceOptions } from './database/data-source';

/** What both processes share: config, logs, Postgres, Redis queues. */
@Global()
@Module({
  imports: [
    ConfigModule,
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          autoLogging: { ignore: (req) => req.url === '/health' },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          ...(config.nodeEnv === 'development' && process.stdout.isTTY
            ? { transport: { target: 'pino-pretty', options: { singleLine: true } } }
            : {}),
        },
      }),
    }),
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => dataSourceOptions(config.databaseUrl),
    }),
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connection: redisConnection(config.redisUrl),
        prefix: config.queuePrefix,
        defaultJobOptions: DEFAULT_JOB_OPTIONS,
      }),
    }),
    BullModule.registerQueue(
      { name: RENDER_QUEUE },
      { name: DOCUMENTS_QUEUE },
      { name: MAIL_QUEUE },
      { name: SIGNING_QUEUE },
      { name: BATCH_QUEUE },
    ),
  ],
  providers: [RedisService],
  exports: [ConfigModule, TypeOrmModule, BullModule, RedisService],
})
export class CoreModule {}

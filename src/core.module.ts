import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { Transactions } from './common/database/transactions';
import { APP_CONFIG, ConfigModule } from './config/config.module';
import { AppConfig } from './config/env';
import { dataSourceOptions } from './database/data-source';

/**
 * What every process that touches the database shares: config, logs, Postgres. No Redis: the API and the
 * worker add QueuesModule; the database step of `npm start` must run without it.
 */
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
  ],
  providers: [Transactions],
  exports: [ConfigModule, TypeOrmModule, Transactions],
})
export class CoreModule {}

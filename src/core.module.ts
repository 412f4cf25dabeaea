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
        // No per-request middleware: its AsyncLocalStorage slows every promise of the process (a third of the
        // bare framework's throughput). Each request's line is written by app.setup.ts's onResponse hook.
        forRoutes: [],
        pinoHttp: {
          level: config.logLevel,
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

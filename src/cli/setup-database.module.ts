import { Module } from '@nestjs/common';
import { SeedModule } from '../database/demo.seed';
import { HeldQueuesModule } from '../held-queues.module';

/**
 * The database step of `npm start`: the seed's services with every queue held in memory, so the step opens
 * no Redis connection (a BullMQ connection closed while still opening once crashed a second `npm start`).
 */
@Module({ imports: [HeldQueuesModule, SeedModule] })
export class SetupDatabaseModule {}

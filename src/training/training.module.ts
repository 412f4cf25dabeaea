import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module';
import { NetworksModule } from '../networks/networks.module';
import { PeopleModule } from '../people/people.module';
import { TrainingController } from './training.controller';
import { TrainingRepository } from './training.repository';
import { TrainingService } from './training.service';

/** Training attendance (研修会, its video) where a network requires it. */
@Module({
  imports: [AccountsModule, NetworksModule, PeopleModule],
  controllers: [TrainingController],
  providers: [TrainingService, TrainingRepository],
  exports: [TrainingService],
})
export class TrainingModule {}

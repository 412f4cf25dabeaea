import { Module } from '@nestjs/common';
import { RegistrationsModule } from '../registrations/registrations.module';
import { PeopleController } from './people.controller';
import { PeopleService } from './people.service';

@Module({ imports: [RegistrationsModule], controllers: [PeopleController], providers: [PeopleService], exports: [PeopleService] })
export class PeopleModule {}

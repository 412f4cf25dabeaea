import { Module } from '@nestjs/common';
import { DocumentsModule } from '../documents/documents.module';
import { PeopleModule } from '../people/people.module';
import { StaffChangesController } from './staff-changes.controller';
import { StaffChangesService } from './staff-changes.service';

@Module({
  imports: [PeopleModule, DocumentsModule],
  controllers: [StaffChangesController],
  providers: [StaffChangesService],
  exports: [StaffChangesService],
})
export class StaffChangesModule {}

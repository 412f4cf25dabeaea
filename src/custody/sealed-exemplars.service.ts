import { Injectable } from '@nestjs/common';
import { EntityManager, Not } from 'typeorm';
import { CustodyService } from './custody.service';
import { Exemplar } from './custody.types';
import { ExemplarEntity } from './exemplar.entity';

/** The electronic originals' files: a sealed file renewed replaces the old one wherever it is held. */
@Injectable()
export class SealedExemplarsService {
  constructor(private readonly custody: CustodyService) {}

  /**
   * A sealed file renewed (validation data and a new document timestamp appended): every exemplar that held
   * the old file now holds the new one, and its ledger says so; its state (where the sheet is) stays.
   */
  async replaceSealedPdf(manager: EntityManager, from: string, to: string, note: string): Promise<Exemplar[]> {
    const exemplars = await manager.find(ExemplarEntity, { where: { pdfSha256: from, state: Not('destroyed') }, order: { code: 'ASC' } });
    for (const exemplar of exemplars) {
      await manager.update(ExemplarEntity, exemplar.id, { pdfSha256: to });
      await this.custody.recordBySystem(manager, exemplar, 'archive_renewed', note);
    }
    return exemplars as Exemplar[];
  }
}

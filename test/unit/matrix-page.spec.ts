import { AppConfig } from '../../src/config/env';
import { CustodyService } from '../../src/custody/custody.service';
import { DocumentsService } from '../../src/documents/documents.service';
import { OfficeSummary, Overview, SecretariatDashboardService } from '../../src/dashboards/secretariat-dashboard.service';
import { SecretariatMatrixService } from '../../src/dashboards/secretariat-matrix.service';
import { NetworksService } from '../../src/networks/networks.service';
import { RegistrationsService } from '../../src/registrations/registrations.service';
import { TrainingService } from '../../src/training/training.service';

const office = (officeId: string): OfficeSummary => ({
  officeId,
  officeName: `事業所${officeId}`,
  total: 1,
  received: 0,
  overdue: 0,
  counts: {} as OfficeSummary['counts'],
});

/**
 * The matrix page asks for its grid beside the overview when no filter is set (the page of offices is then the
 * offices by name); the grid it shows is always of the offices the overview chose. Faked at the services' seam.
 */
describe('the 事務局 matrix page: the grid beside the overview', () => {
  function matrixWith(chosen: string[], byName: string[]) {
    const asked: string[][] = [];
    const requirements = {
      overview: async (): Promise<Overview> => ({
        summary: {} as Overview['summary'],
        offices: chosen.map(office),
        officeTotal: chosen.length,
        rows: [],
        total: 0,
      }),
      officeNames: async () => byName.map((id) => ({ officeId: id, officeName: `事業所${id}` })),
      ofOffices: async (_network: string, officeIds: string[]) => {
        asked.push(officeIds);
        return [];
      },
      requiredForms: () => ({ officeForms: [{ id: 'office-pledge', number: '別紙1', title: '誓約書' }], staffForm: null }),
    } as unknown as SecretariatDashboardService;
    const service = new SecretariatMatrixService(
      requirements,
      {} as DocumentsService,
      {} as CustodyService,
      { getNetwork: () => ({ forms: [] }) } as unknown as NetworksService,
      { openCounts: async () => new Map() } as unknown as RegistrationsService,
      { ruleOf: () => null } as unknown as TrainingService,
      { overdueDays: 14 } as AppConfig,
    );
    return { service, asked };
  }
  const firstPage = { limit: 2, offset: 0 };

  it('unfiltered, asks once, beside the overview, for the offices by name', async () => {
    const { service, asked } = matrixWith(['a', 'b'], ['a', 'b', 'c']);
    const { grid } = await service.overviewWithGrid('rurume', { overdueOnly: false }, firstPage, firstPage);
    expect(asked).toEqual([['a', 'b']]);
    expect(grid.rows.map((r) => r.officeId)).toEqual(['a', 'b']);
  });

  it('when the overview chose other offices (one with nothing required), shows the grid of those', async () => {
    const { service, asked } = matrixWith(['a', 'c'], ['a', 'b', 'c']);
    const { grid } = await service.overviewWithGrid('rurume', {}, firstPage, firstPage);
    expect(asked).toEqual([
      ['a', 'b'],
      ['a', 'c'],
    ]);
    expect(grid.rows.map((r) => r.officeId)).toEqual(['a', 'c']);
  });

  it('filtered, waits for the overview and asks only for its offices', async () => {
    const { service, asked } = matrixWith(['c'], ['a', 'b', 'c']);
    const { grid } = await service.overviewWithGrid('rurume', { status: 'missing' }, firstPage, firstPage);
    expect(asked).toEqual([['c']]);
    expect(grid.rows.map((r) => r.officeId)).toEqual(['c']);
  });
});

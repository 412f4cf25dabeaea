import { DocumentHeadersService } from '../../src/documents/document-headers.service';
import { DocumentsRepository } from '../../src/documents/documents.repository';
import { NetworksService } from '../../src/networks/networks.service';

/** The audit log names documents by number and form; faked at the repository seam. */
describe('document labels (the audit log)', () => {
  const documents = {
    findMany: async () => [
      { id: 'd1', number: 'R-000001', networkId: 'rurume', formId: 'patient-consent' },
      { id: 'd2', number: 'K-000002', networkId: 'kiyose', formId: 'patient-consent' },
    ],
  } as unknown as DocumentsRepository;
  const networks = {
    list: () => [{ id: 'rurume', forms: [{ id: 'patient-consent', title: '在宅医療における個人情報連携同意書' }] }],
  } as unknown as NetworksService;

  it('names a form by its title, and one whose network is no longer loaded by its id, instead of failing the page', async () => {
    const labels = await new DocumentHeadersService(documents, networks).labels(['d1', 'd2']);
    expect(Object.fromEntries(labels)).toEqual({
      d1: 'R-000001（在宅医療における個人情報連携同意書）',
      d2: 'K-000002（patient-consent）',
    });
  });
});

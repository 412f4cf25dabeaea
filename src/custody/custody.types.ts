import { Holder } from '../networks/catalogue.types';

/** One exemplar, as other features may see it: an original (原本) or a copy (写し), and who holds it. */
export interface Exemplar {
  id: string;
  documentId: string;
  versionId: string;
  networkId: string;
  officeId: string;
  formId: string;
  code: string;
  kind: 'original' | 'copy';
  holder: Holder;
  state: string;
  pdfSha256: string | null;
  createdAt: Date;
}

/** Where a required form stands, as the 事務局's matrix shows it. */
export const CELL_STATUSES = ['missing', 'draft', 'issued', 'signed', 'signed_electronically', 'in_transit', 'received'] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];

export const CELL_LABELS: Record<CellStatus, string> = {
  missing: '未提出',
  draft: '作成中',
  issued: '発行済（未署名）',
  signed: '署名済（未発送）',
  signed_electronically: '電子署名済',
  in_transit: '原本郵送中',
  received: '受領済',
};

import { KIND_LABELS, RegistrationLine, SOURCE_LABELS } from '../registrations/registrations.types';

/** What an office or the 事務局 reads as a line's state. */
export function lineStateLabel(line: RegistrationLine): string {
  if (line.status === 'done') return '対応済';
  return line.awaitingAnswer ? '質問中（事業所の回答待ち）' : line.questions.length ? '未対応（回答あり）' : '未対応';
}

/** A registration line as the desk and the office page show it. */
export function lineView(line: RegistrationLine) {
  return {
    ...line,
    kindLabel: KIND_LABELS[line.kind],
    sourceLabel: SOURCE_LABELS[line.source],
    stateLabel: lineStateLabel(line),
    open: line.status === 'open',
    pendingQuestion: line.awaitingAnswer ? line.questions[line.questions.length - 1] : null,
  };
}

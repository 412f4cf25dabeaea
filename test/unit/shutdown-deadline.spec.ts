import { EventEmitter } from 'node:events';
import { exitIfShutdownHangs } from '../../src/common/shutdown-deadline';

describe('a process told to stop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function stoppable() {
    const target = Object.assign(new EventEmitter(), { exit: jest.fn() });
    const log = jest.fn();
    exitIfShutdownHangs(target, 30_000, log);
    return { target, log };
  }

  it('exits with 1 once its shutdown has taken the grace period, saying why', () => {
    const { target, log } = stoppable();
    target.emit('SIGTERM');
    jest.advanceTimersByTime(29_999);
    expect(target.exit).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(target.exit).toHaveBeenCalledWith(1);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('30 s after SIGTERM'));
  });

  it('is left alone while nobody asks it to stop', () => {
    const { target } = stoppable();
    jest.advanceTimersByTime(120_000);
    expect(target.exit).not.toHaveBeenCalled();
    target.emit('SIGINT');
    jest.runOnlyPendingTimers();
    expect(target.exit).toHaveBeenCalledTimes(1);
  });
});

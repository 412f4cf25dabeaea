const TestSequencer = require('@jest/test-sequencer').default;
const SLOW = require('./slow-files.cjs');

/**
 * Jest runs the files it knows to be long first, from the timings of earlier runs; a fresh clone has none,
 * and Jest then goes by file size, which starts the crawl (minutes long, a small file) late, leaving one worker
 * idle at the end. The slow files go first, longest first; the rest keep Jest's own order.
 */
class SlowFirstSequencer extends TestSequencer {
  sort(tests) {
    const rank = (test) => {
      const at = SLOW.findIndex((name) => test.path.endsWith(`/${name}.spec.ts`));
      return at < 0 ? SLOW.length : at;
    };
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = SlowFirstSequencer;

/**
 * Files that take minutes, not seconds, longest first: the crawl of every page, the fault suite and supervisor
 * (compiled service, its own Redis), two APIs with two workers, the 250/300-person batches, the CLIs run as
 * processes. Shared by jest.config.js (the `slow` group) and the sequencer (which starts them first).
 */
module.exports = [
  'crawl.browser',
  'reliability.e2e',
  'multi-process.e2e',
  'batches.browser',
  'batches.e2e',
  'bulk-cli.e2e',
  'setup-database.e2e',
];

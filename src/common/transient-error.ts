/**
 * Errors that say nothing about the work itself: the database or Redis went away for a moment (a restart,
 * a terminated connection, a refused connect), or this process's Chromium is stopping or would not start.
 * Work failing with one is never marked failed for good: the sweeper queues it again once the service is back.
 */
export function isTransientError(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown; driverError?: unknown };
  const driverCode = ((error as { driverError?: { code?: unknown } })?.driverError ?? {}).code;
  const codes = [code, driverCode].filter((c): c is string => typeof c === 'string');
  if (codes.includes('BROWSER_UNAVAILABLE')) return true;
  // PostgreSQL: class 08 (connection exception), 57P01–57P03 (admin shutdown, crash shutdown, cannot connect now).
  if (codes.some((c) => c.startsWith('08') || /^57P0[123]$/.test(c))) return true;
  if (codes.some((c) => ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(c))) return true;
  const text = typeof message === 'string' ? message : '';
  return /Connection terminated|terminating connection|Connection is closed|connect ECONNREFUSED|Missing (key|lock) for job/i.test(text);
}

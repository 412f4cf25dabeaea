import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(require.resolve('axe-core'), 'utf8');

export interface AxeViolation {
  id: string;
  help: string;
  targets: string[];
}

/**
 * Puts axe-core into the page the way Playwright evaluates (exempt from the page's policy, as a console is):
 * the pages' content-security policy refuses inline scripts (issue 21), so a script tag of it would be blocked,
 * and a test must not loosen the policy it runs under.
 */
export async function injectAxe(page: Page): Promise<void> {
  await page.evaluate(`${AXE_SOURCE}\n;undefined`);
}

/**
 * axe-core run in the page as it stands (WCAG rules it knows): the violations, each with the elements at fault.
 * Only violations are collected: axe otherwise builds a selector for every node that passed, most of its time.
 * `iframes: false` leaves out framed content (a printed form's preview is the form, not a page of ours).
 */
export async function axeViolations(page: Page, options: { iframes?: boolean } = {}): Promise<AxeViolation[]> {
  await injectAxe(page);
  return page.evaluate(async (iframes) => {
    type Result = { violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> };
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<Result> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'], iframes });
    return result.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, options.iframes ?? true);
}

/** No axe-core violation on the page (the list, with the elements at fault, is printed when one is found). */
export async function expectNoAxeViolations(page: Page, options: { iframes?: boolean } = {}): Promise<void> {
  expect(await axeViolations(page, options)).toEqual([]);
}

import type { Page } from 'playwright-core';

export interface AxeViolation {
  id: string;
  help: string;
  targets: string[];
}

/** axe-core run in the page as it stands (WCAG rules it knows): the violations, each with the elements at fault. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ path: require.resolve('axe-core') });
  return page.evaluate(async () => {
    type Result = { violations: Array<{ id: string; help: string; nodes: Array<{ target: string[] }> }> };
    const axe = (window as unknown as { axe: { run: (context: Document) => Promise<Result> } }).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

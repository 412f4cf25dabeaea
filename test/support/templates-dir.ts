import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/common/project-root';

/** A copy of templates/ (all networks, or only the shared layout) that a test may add to or break. */
export function copyTemplates(options: { networks: boolean } = { networks: true }): string {
  const dir = mkdtempSync(join(tmpdir(), 'renkei-templates-'));
  const source = join(projectRoot(), 'templates');
  cpSync(source, dir, {
    recursive: true,
    filter: (path) => options.networks || !path.slice(source.length + 1) || path.startsWith(join(source, '_shared')),
  });
  return dir;
}

export function addFixtureNetwork(templatesDir: string, name = 'kiyose'): void {
  cpSync(join(projectRoot(), 'test', 'fixtures', 'sixth-network', name), join(templatesDir, name), { recursive: true });
}

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The rows of the README's "Folder map" table: `src/<name>/`. */
function mappedFolders(): string[] {
  const section = readme.split(/^## /m).find((part) => part.startsWith('Folder map'));
  if (!section) throw new Error('the README has no "Folder map" section');
  return [...section.matchAll(/^\| `src\/([^/`]+)\/` \|/gm)].map((match) => match[1]);
}

describe('README', () => {
  it('stays short enough for a newcomer to read', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
  });

  it('names exactly the folders under src/ in its folder map, once each', () => {
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const mapped = mappedFolders();
    expect(new Set(mapped).size).toBe(mapped.length);
    expect([...mapped].sort()).toEqual(folders);
  });

  it('repeats no line of prose', () => {
    const prose = readme
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 20 && !/^\|?[-| ]+\|?$/.test(line) && !line.startsWith('```'));
    const repeated = prose.filter((line, index) => prose.indexOf(line) !== index);
    expect(repeated).toEqual([]);
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(((?:docs\/|SECURITY)[^)#]+)/g)].map((match) => match[1]);
    expect(links.length).toBeGreaterThan(5);
    expect(links.filter((link) => !existsSync(join(root, link)))).toEqual([]);
  });
});

/**
 * The page's scripts: dagre's minified build, read from node_modules when a page is made, and
 * asymlab's own layout, drawing and page functions, inlined as their source text. The page then
 * needs no network and no file beside it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { LabError } from '../../errors.js';
import { bootPage } from './boot.js';
import { topologySvg } from './draw-topology.js';
import { layoutTopology } from './layout.js';

let dagreSource: string | undefined;

/** dagre.min.js with its licence notice (MIT asks for it with every copy). */
export function dagreScript(): string {
  if (dagreSource !== undefined) return dagreSource;
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('@dagrejs/dagre/package.json'));
  } catch (e) {
    throw new LabError('environment', 'the graph layout library @dagrejs/dagre is not installed', { cause: e, hint: 'run npm ci (or ./scripts/setup.sh) in the asymlab folder' });
  }
  const min = readFileSync(join(dir, 'dist', 'dagre.min.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  const legal = readFileSync(join(dir, 'dist', 'dagre.min.js.LEGAL.txt'), 'utf8').replace(/\*\//g, '* /');
  dagreSource = `/* @dagrejs/dagre, bundled by asymlab.\n${legal}\n*/\n${min}`;
  return dagreSource;
}

/**
 * The functions the page runs, as source. They are written self-contained for this (nested helpers,
 * type-only imports): a function that used a module-level value would fail here, which
 * test/unit/report-html.test.ts checks by running this text.
 */
export function drawingScript(): string {
  return [
    layoutTopology.toString(),
    topologySvg.toString(),
    bootPage.toString(),
    'bootPage({ dagre: window.dagre, layoutTopology: layoutTopology, topologySvg: topologySvg });',
  ].join('\n');
}

/** Text inside a <script> element: `</script` (any case) and `<!--` must not appear in it. */
export function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

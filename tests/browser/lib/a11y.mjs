// Accessibility checks with axe-core (pinned in package.json): the WCAG 2.1 A and AA rules and
// axe's best practices (landmarks, one main, headings), run in the page as it is shown.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let axeSource = null;

/** The tags of the rules run: WCAG 2.1 A / AA and best practices. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

/**
 * Runs axe-core on the page and returns its violations, each as a short text (rule, impact,
 * help and the offending elements). The app's CSP forbids inline scripts, so axe is evaluated
 * through the DevTools protocol (`page.evaluate`), which the CSP does not govern.
 */
export async function axeViolations(page) {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate(
    (tags) =>
      window.axe
        .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
        .then((r) =>
          r.violations.map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`),
          })),
        ),
    AXE_TAGS,
  );
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n      ${v.nodes.join('\n      ')}`);
}

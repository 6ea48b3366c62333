// Where the suite writes what it produces (both folders are git-ignored).

import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** `tests/browser/screenshots/`: one PNG per state, at the mobile viewport. */
export const SCREENSHOTS_DIR = path.resolve(here, '..', 'screenshots');

/** `tests/browser/test-results/`: server logs and browser console logs of each test file. */
export const RESULTS_DIR = path.resolve(here, '..', 'test-results');

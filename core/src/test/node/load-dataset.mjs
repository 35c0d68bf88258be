// Loads the provider list and the unit table from the pinned @pydantic/genai-prices package.
//
// The package bundles its data into dist/index.js but exports only functions, so we import a
// copy of that module with one extra export line naming the two top-level constants: the
// provider array (the module's first statement) and the unit table declared right after it.
// If a future version reshapes the bundle, this fails loudly instead of exporting wrong data.
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function loadDataset() {
  const pkgJsonPath = join(here, 'node_modules', '@pydantic', 'genai-prices', 'package.json');
  const pkg = JSON.parse(readFileSync(pkgJsonPath, 'utf8'));
  const distPath = join(dirname(pkgJsonPath), 'dist', 'index.js');
  const src = readFileSync(distPath, 'utf8');
  const providersName = /^const (\w+) = \[/.exec(src)?.[1];
  const unitsName = /^\], (\w+) = \{$/m.exec(src)?.[1];
  if (!providersName || !unitsName) {
    throw new Error(`unexpected bundle layout in ${distPath}: cannot find the provider and unit constants`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'genai-prices-'));
  const copy = join(dir, 'index.mjs');
  writeFileSync(copy, `${src}\nexport { ${providersName} as __providers, ${unitsName} as __units };\n`);
  const mod = await import(pathToFileURL(copy).href);
  const providers = mod.__providers;
  const units = mod.__units;
  if (!Array.isArray(providers) || !providers.every((p) => typeof p.id === 'string' && Array.isArray(p.models))) {
    throw new Error('provider constant does not look like Provider[]');
  }
  if (typeof units !== 'object' || !Object.values(units).every((u) => typeof u.per === 'number' && u.dimensions)) {
    throw new Error('unit constant does not look like the unit table');
  }
  return { pkg, providers, units, module: mod };
}

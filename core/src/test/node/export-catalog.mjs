// Writes the bundled price catalog resource from the pinned @pydantic/genai-prices package.
// Usage: node export-catalog.mjs <output.json> <license-output> <published-date>
// The output keeps the package's own provider/model order and field names, so a version bump
// is a readable diff of prices, not a reshuffle.
import { copyFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset } from './load-dataset.mjs';

const [out, licenseOut, published] = process.argv.slice(2);
if (!out || !licenseOut || !published) {
  throw new Error('usage: node export-catalog.mjs <output.json> <license-output> <published-date>');
}
const { pkg, providers, units } = await loadDataset();
const catalog = {
  format: 1,
  dataset: {
    name: pkg.name,
    version: pkg.version,
    published,
    license: pkg.license,
    homepage: pkg.homepage,
  },
  units,
  providers,
};
writeFileSync(out, JSON.stringify(catalog, null, 1) + '\n');
const here = dirname(fileURLToPath(import.meta.url));
copyFileSync(join(here, 'node_modules', '@pydantic', 'genai-prices', 'LICENSE'), licenseOut);
const models = providers.reduce((n, p) => n + p.models.length, 0);
console.log(`wrote ${out}: ${pkg.name} ${pkg.version} (${published}), ${providers.length} providers, ${models} models`);

// Conformance helper: prices cases with the reference calcPrice of the pinned package.
// Usage: node reference-cost.mjs <cases.json>  ->  JSON array on stdout, one result per case:
//   {"input": n, "output": n, "total": n, "provider": id, "model": id} | {"error": msg} | null (unpriced)
// A case is {"provider": id|null, "model": id, "usage": {usage_key: count}, "at": epochMillis,
//   "custom": {price_key: price} (optional: price with a one-model provider holding these prices instead,
//   which is what an override in force should charge)}.
import { readFileSync } from 'node:fs';
import { calcPrice } from '@pydantic/genai-prices';

console.warn = () => {}; // the package warns about usage keys a model does not price; irrelevant here
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const out = cases.map((c) => {
  try {
    const opts = { timestamp: new Date(c.at) };
    if (c.custom) {
      opts.provider = { id: 'custom', name: 'custom', api_pattern: '',
        models: [{ id: 'custom', match: { starts_with: '' }, prices: c.custom }] };
    } else if (c.provider) opts.providerId = c.provider;
    const r = calcPrice(c.usage, c.model, opts);
    if (!r) return null;
    return { input: r.input_price, output: r.output_price, total: r.total_price, provider: r.provider.id, model: r.model.id };
  } catch (e) {
    return { error: String(e.message ?? e) };
  }
});
process.stdout.write(JSON.stringify(out));

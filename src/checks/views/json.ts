import { outcomeOf, summarize, type CheckResult, type Outcome } from '../model.js';

interface JsonCheck {
  description: string;
  hint?: string;
  error?: string;
  result: Outcome;
}

interface JsonCategory {
  categoryName: string;
  checks: JsonCheck[];
}

/**
 * `-o json`: ONE document for the whole run (upstream writes one per runner, which plain JSON
 * parsers reject). Field order and the `null` for an empty run follow upstream's schema.
 */
export function renderJson(results: readonly CheckResult[]): string {
  const categories: JsonCategory[] = [];
  for (const r of results) {
    if (r.retry) continue;
    let category = categories.at(-1);
    if (category?.categoryName !== r.category) {
      category = { categoryName: r.category, checks: [] };
      categories.push(category);
    }
    const result = outcomeOf(r);
    category.checks.push(
      result === 'success'
        ? { description: r.description, result }
        : { description: r.description, hint: r.hintUrl ?? '', error: r.error ?? '', result },
    );
  }
  const doc = { success: summarize(results).success, categories: categories.length > 0 ? categories : null };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * An auto-escaping template for report.html: every value interpolated into an `html`
 * template is escaped for HTML text and attribute values, unless it is itself the result
 * of an `html` template (already safe). There is no way to splice a raw string in: a
 * crafted run folder (a role event whose term is `<img src=x onerror=...>`, summary fields
 * holding markup) can only ever show up as text.
 */

/** Markup built by `html` templates only. */
export class SafeHtml {
  /** @internal use the `html` tag; the constructor is not for strings from outside. */
  constructor(readonly markup: string) {}

  toString(): string {
    return this.markup;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Escapes text for HTML and SVG content and for quoted attribute values. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"'`]/g, (c) => ESCAPES[c]);
}

function render(v: unknown): string {
  if (v instanceof SafeHtml) return v.markup;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

/** The tag: `html\`<td>${value}</td>\`` escapes `value`; arrays are joined; null, undefined and false render nothing. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Joins fragments (each escaped unless already SafeHtml). */
export function joinHtml(parts: readonly unknown[], separator: SafeHtml = new SafeHtml('')): SafeHtml {
  return new SafeHtml(parts.map(render).join(separator.markup));
}

/**
 * A `<style>` element. Its content is raw text in HTML (entities are not decoded there),
 * so it cannot be escaped; instead anything that could end the element is refused.
 * @throws Error when the stylesheet contains "</"
 */
export function styleElement(css: string): SafeHtml {
  if (css.includes('</')) throw new Error('a stylesheet may not contain "</"');
  return new SafeHtml(`<style>${css}</style>`);
}

/**
 * Finds the forms in an HTML body preview, enough to judge CSRF protection: method, action and the
 * names of their fields. A lenient scan, not a parser: it never throws on broken markup, and a
 * form cut off by the end of the preview is reported as such.
 */

export interface HtmlForm {
  /** Uppercase; "GET" when the form has no method. */
  method: string;
  action?: string;
  /** Field names (input, select, textarea, button), in order. */
  fields: string[];
  /** Hidden inputs' names. */
  hidden: string[];
  /** The preview ended before the form's closing tag. */
  cut: boolean;
}

const FORM_OPEN = /<form\b([^>]*)>/gi;
const FORM_CLOSE = /<\/form\s*>/i;
const FIELD = /<(input|select|textarea|button)\b([^>]*)>/gi;
const MAX_FORMS = 50;

/** Reads `name="value"`, `name='value'` or `name=value` from a tag's attribute text. */
export function attribute(attrs: string, name: string): string | undefined {
  const re = new RegExp(`(?:^|\\s)${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`, "i");
  const m = re.exec(attrs);
  return m ? (m[1] ?? m[2] ?? m[3] ?? "") : undefined;
}

export function findForms(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  FORM_OPEN.lastIndex = 0;
  for (let m = FORM_OPEN.exec(html); m && forms.length < MAX_FORMS; m = FORM_OPEN.exec(html)) {
    const attrs = m[1] ?? "";
    const bodyStart = m.index + m[0].length;
    const rest = html.slice(bodyStart);
    const close = FORM_CLOSE.exec(rest);
    const inner = close ? rest.slice(0, close.index) : rest;
    const form: HtmlForm = {
      method: (attribute(attrs, "method") ?? "GET").trim().toUpperCase() || "GET",
      fields: [],
      hidden: [],
      cut: !close,
    };
    const action = attribute(attrs, "action");
    if (action !== undefined) form.action = action.slice(0, 200);
    FIELD.lastIndex = 0;
    for (let f = FIELD.exec(inner); f; f = FIELD.exec(inner)) {
      const fieldAttrs = f[2] ?? "";
      const name = attribute(fieldAttrs, "name");
      if (!name) continue;
      form.fields.push(name.slice(0, 100));
      if (attribute(fieldAttrs, "type")?.toLowerCase() === "hidden") form.hidden.push(name.slice(0, 100));
    }
    forms.push(form);
  }
  return forms;
}

// Every word of the pages comes from the bureau's catalogue (GET /v1/dashboard/catalogue),
// one per language (zh default, en), keyed by what it names: labels, tiers, criteria (the
// rule's id), gap sentences, alert kinds, event types and code values.
const CATALOGUES = {};
let lang = sessionStorage.getItem("lang") || "zh";

export async function loadCatalogue(which = lang) {
  if (!CATALOGUES[which]) {
    const response = await fetch(`/v1/dashboard/catalogue?lang=${which}`);
    CATALOGUES[which] = (await response.json()).words;
  }
  return CATALOGUES[which];
}

export const has = (key) => CATALOGUES[lang]?.[key] != null;

export function say(key, params = {}) {
  // a template with {name} parameters; a missing key shows itself (the catalogue test
  // keeps that from happening)
  const template = CATALOGUES[lang]?.[key] ?? CATALOGUES.zh?.[key];
  if (template == null) return key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (params[name] ?? whole));
}

export function t(key, n) {
  return say(`label.${key}`, typeof n === "object" ? n : { n });
}

const lookup = (prefix, k) => (k == null ? "" : has(`${prefix}.${k}`) ? say(`${prefix}.${k}`) : String(k));
export const tierName = (k) => lookup("tier", k);
export const districtName = (k) => lookup("district", k);
export const industryName = (k) => lookup("industry", k);
export const eventName = (k) => (has(`event.${k}`) ? say(`event.${k}`) : lookup("alert", k));
export const alertName = (k) => lookup("alert", k);
export const codeName = (field, k) => (typeof k === "boolean" ? say(`code.bool.${k}`) : lookup(`code.${field}`, k));
const keysOf = (prefix) => Object.keys(CATALOGUES.zh || {}).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
export const districtKeys = () => keysOf("district.");
export const industryKeys = () => keysOf("industry.");
export const currentLang = () => lang;

// ------------------------------------------------------------------ numbers, money, time

const trim = (x, places) => x.toFixed(places).replace(/\.?0+$/, "");

export function money(amount, currency = "CNY") {
  // 万/亿 in Chinese; yuan (¥, or US$) in full with thousands separators in English
  if (amount == null || amount === "") return "";
  const n = Number(amount);
  if (lang !== "zh") return `${currency === "USD" ? "US$" : "¥"}${Math.round(n).toLocaleString("en")}`;
  const unit = currency === "USD" ? "美元" : "元";
  if (n === 0) return `0${unit}`;
  if (Math.abs(n) >= 1e8) return `${trim(n / 1e8, 2)}亿${unit}`;
  if (Math.abs(n) >= 1e4) return `${trim(n / 1e4, 2)}万${unit}`;
  return `${trim(n, 2)}${unit}`;
}

export const num = (n) => (n == null ? "—" : Number(n).toLocaleString(lang === "zh" ? "zh-CN" : "en"));

export function ratio(value, against = null) {
  // one decimal, or as many more (up to 4) as it takes not to read equal to `against`:
  // a failing 2.496% never shows as "2.5% vs >= 2.5%"
  if (value == null) return "—";
  for (let places = 1; places <= 4; places += 1) {
    const shown = trim(value * 100, places);
    if (against == null || value === against || shown !== trim(against * 100, places)) return `${shown}%`;
  }
  return `${trim(value * 100, 4)}%`;
}

const CST = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
  day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

export function cstTime(at, withSeconds = false) {
  // a timestamp in China Standard Time: 2026-12-04 17:05
  if (!at) return "";
  const text = CST.format(new Date(at)).replace("T", " ");
  return withSeconds ? text : text.slice(0, 16);
}

export const cstDay = (at) => (/^\d{4}-\d{2}-\d{2}$/.test(String(at)) ? String(at) : cstTime(at).slice(0, 10));

// ------------------------------------------------------------------ criteria and gaps

export function labelParams(label, fy) {
  const found = /(\d+)/.exec(String(label || "").replace(/FY/g, ""));
  const known = fy != null && fy !== "";
  return { fy: known ? fy : "", fy1: known ? fy - 1 : "", fy3: known ? fy - 3 : "", n: found ? Number(found[1]) : "" };
}

export function criterionLabel(key, label, fy) {
  return has(`criterion.${key}`) ? say(`criterion.${key}`, labelParams(label, fy)) : label;
}

export function valueText(value, unit, against = null, key = "") {
  if (value == null || value === "") return say("label.unknown");
  if (typeof value === "boolean") return codeName("bool", value);
  if (Array.isArray(value)) return value.map((v) => codeName("certificate", v)).join(lang === "zh" ? "、" : ", ");
  if (typeof value === "string" && Number.isNaN(Number(value))) return codeName(key === "independent" ? "company_kind" : "certificate", value);
  const n = Number(value);
  if (unit === "ratio" || unit === "rate") return ratio(n, against == null ? null : Number(against));
  if (unit === "yuan" || unit === "usd") return money(n, unit === "usd" ? "USD" : "CNY");
  if (unit === "years") return lang === "zh" ? `${n}年` : `${n} years`;
  return Number.isInteger(n) ? num(n) : trim(n, 2);
}

const FLAGS = new Set(["independent", "not_abnormal", "not_dishonest", "high_tech_certificate", "vc_pe_backed", "not_listed"]);

export function gapText(gap) {
  const p = gap.params || {};
  const { unit, key } = p;
  const label = criterionLabel(key, p.label, p.fy);
  const value = valueText(p.value, unit, p.threshold, key);
  const threshold = valueText(p.threshold, unit, null, key);
  const cmp = has(`cmp.${p.comparator}`) ? say(`cmp.${p.comparator}`) : p.comparator;
  switch (gap.kind) {
    case "unknown": {
      const np = { ...(p.note_params || {}) };
      if (np.span != null) np.span = say("note.window", np);
      return say("gap.unknown", { label, note: say(p.note_key || "note.unknown", np) });
    }
    case "lever": {
      const span = unit === "rate" ? say("span.in_fy", { fy: p.fy }) : say("span.over", { from: p.from, to: p.to });
      return say("gap.lever", { label, value, threshold, span, need: key === "employee_cagr" ? (lang === "zh" ? `${num(p.need)}人` : num(p.need)) : valueText(p.need, "yuan"),
        what: has(`what.${key}`) ? say(`what.${key}`) : key });
    }
    case "too_old": return say("gap.too_old", { label, value, threshold, gap: p.gap });
    case "flag": return say(FLAGS.has(key) ? `gap.flag.${key}` : "gap.flag.other", { label, value, threshold });
    case "lacking": return say("gap.lacking", { label, kinds: (p.lacking || []).map((k) => codeName("certificate", k)).join(lang === "zh" ? "、" : ", ") });
    case "amount": return say("gap.amount", { label, value, threshold, cmp, gap: valueText(p.gap, unit) });
    case "not_founded": return say("gap.not_founded", { founded: p.founded || "" });
    default: return say("gap.compare", { label, value, threshold, cmp });
  }
}

export function gapOfCriterion(c, fy) {
  // the exact gap beside a failing criterion, in its unit (a ratio keeps enough digits)
  if (c.passed || c.gap == null) return "";
  if (c.unit === "ratio" || c.unit === "rate") return ratio(Number(c.gap), 0);
  if (c.unit === "flag" || c.unit === "kinds") return "";
  return valueText(c.gap, c.unit);
}

export async function setLang(next) {
  lang = next;
  sessionStorage.setItem("lang", next);
  await Promise.all([loadCatalogue("zh"), loadCatalogue(next)]);
  document.documentElement.lang = next === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
}

// Money: the year's budget and the entitlements list, read from the entitlements service
// (its URL comes from /v1/dashboard/me; it allows this page's origin by CORS; same token).
import { download, getJson } from "./api.js";
import { codeName, cstDay, currentLang, districtName, has, loadCatalogue, money, say, t } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function wan(yuan) {
  // money as bureau staff write it: 万/亿 in Chinese, CNY with separators in English
  return money(yuan);
}

const stateName = (s) => codeName("entitlement_state", s);

// A step's note: the entitlements service writes the en words of a code.step.* key (as
// shared/catalogue/render.py step_note reads them); an officer's own note stays as written.
const NOTE_PARAMS = { trigger: "([a-z_]+)", day: "(\\d{4}-\\d{2}-\\d{2})", n: "(\\d+)", row: "(\\d+)" };

function stepNote(en, note) {
  for (const [key, template] of Object.entries(en)) {
    if (!key.startsWith("code.step.")) continue;
    const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{(\w+)\}/g, (w, name) => NOTE_PARAMS[name] ?? w);
    const found = new RegExp(`^${pattern}$`).exec(note);
    if (!found) continue;
    const params = Object.fromEntries(names.map((name, i) => [name, found[i + 1]]));
    if (params.trigger) params.trigger = codeName("trigger", params.trigger);
    return say(key, params);
  }
  return note;
}

function actorName(by) {
  // the system, or a role and its key id (officer:k7 -> 业务人员 k7)
  if (by === "system") return say("code.actor.system");
  const [role, ...rest] = String(by ?? "").split(":");
  return rest.length ? `${codeName("role", role)} ${rest.join(":")}` : String(by ?? "");
}

function grid(el, headers, rows) {
  el.innerHTML = `<thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>`
    + `<tbody>${rows.join("") || `<tr><td colspan="${headers.length}" class="note">${esc(t("none"))}</td></tr>`}</tbody>`;
}

const COLUMNS = ["committed", "paid", "owed", "computed", "pipeline", "expected"];

function line(label, l) {
  return `<tr><td>${esc(label)}</td>${COLUMNS.map((c) => `<td class="num">${wan(l[c])}</td>`).join("")}`
    + `<td class="num">${wan(l.expected_low)} – ${wan(l.expected_high)}</td><td class="num">${l.entitlements}</td></tr>`;
}

export async function loadBudget(state) {
  const base = state.me?.entitlements_url;
  if (!base) return;
  $("budgetCard").hidden = false;
  $("entitlementsCard").hidden = false;
  const b = await getJson(`${base}/v1/budget/${state.year}`);
  state.tables.budget = b;
  $("budgetYear").textContent = state.year;
  // the service states its method in English; a Chinese page says it in Chinese
  $("budgetMethod").textContent = currentLang() === "zh" ? t("budgetMethod") : b.method;
  $("budgetMethod").title = b.method;
  const headers = [t("budgetLine"), ...COLUMNS.map((c) => t(`money_${c}`)), t("expectedBand"), t("entitlementCount")];
  grid($("budgetTable"), headers, [
    line(t("total"), b.total),
    ...b.by_policy.map((l) => line(l.name || l.key, l)),
  ]);
  const short = (label, l) => `<tr><td>${esc(label)}</td><td class="num">${wan(l.committed)}</td>`
    + `<td class="num">${wan(l.owed)}</td><td class="num">${wan(l.expected)}</td></tr>`;
  const few = (first) => [first, t("money_committed"), t("money_owed"), t("money_expected")];
  grid($("budgetDistricts"), few(t("district")), b.by_district.map((l) => short(districtName(l.key), l)));
  grid($("budgetMonths"), few(t("month")), b.by_month.map((l) => short(l.key, l)));
}

export async function loadEntitlements(state) {
  const base = state.me?.entitlements_url;
  if (!base) return;
  const select = $("entitlementState");
  const chosen = select.value;  // redrawn each time: the words follow the language
  select.innerHTML = `<option value="">${esc(t("allStates"))}</option>`
    + ["computed", "offered", "confirmed", "approved", "paid", "declined", "expired", "cancelled"]
      .map((s) => `<option value="${s}" ${s === chosen ? "selected" : ""}>${esc(stateName(s))}</option>`).join("");
  const data = await getJson(`${base}/v1/entitlements`, { year: state.year, state: select.value || null, limit: 100 });
  state.tables.entitlements = data.items;
  $("entitlementsYear").textContent = state.year;
  grid($("entitlementTable"), [t("name"), t("district"), t("policy"), t("triggerOn"), t("amount"), t("options"), t("stateCol")],
    data.items.map((e) => `<tr data-entitlement="${e.id}"><td>${esc(e.firm.name)}</td><td>${esc(districtName(e.firm.district))}</td>`
      + `<td>${esc(e.policy_name)}${e.provisional ? ` <small class="note">${esc(t("provisional"))}</small>` : ""}</td>`
      + `<td>${esc(e.trigger_on)}</td><td class="num">${wan(e.amount)}</td>`
      + `<td>${e.options.map((o) => `${esc(o.name)} ${wan(o.amount)}`).join(" / ")}</td>`
      + `<td><span class="badge state-${e.state}">${esc(stateName(e.state))}</span></td></tr>`));
}

export function bandText(o) {
  // an option's band in the page's language, from the catalogue's `band.*` key and the
  // service's parameters (a figure code, a rate as a ratio, bounds in yuan); rows computed
  // before the key existed keep the service's English sentence, on English pages only
  const p = o.band_params || {};
  if (!o.band_key || !has(o.band_key)) return currentLang() === "zh" ? "" : o.band;
  return say(o.band_key, {
    figure: codeName("figure", p.figure),
    rate: p.rate == null ? undefined : `${Number((p.rate * 100).toFixed(2))}%`,
    over: p.over == null ? undefined : money(p.over),
    up_to: p.up_to == null ? undefined : money(p.up_to),
  });
}

function optionTrace(o) {
  // how an amount was computed, in the page's language (the service's missing sentence is
  // English: a Chinese page words it from the option's codes)
  const zh = currentLang() === "zh";
  const figure = o.figure && codeName("figure", o.figure);
  return [codeName("amount_rule", o.rule),
    o.figure && o.figure_value != null && `${figure} ${zh ? `${o.figure_year}年度` : `FY${o.figure_year}`} = ${wan(o.figure_value)}`,
    bandText(o), o.capped_at && `${t("cap")} ${wan(o.capped_at)}`,
    o.missing && (zh ? t("figureMissing", { fy: o.figure_year, figure }) : o.missing)].filter(Boolean).join(" · ");
}

export async function openEntitlement(state, id) {
  const base = state.me?.entitlements_url;
  if (!base) return;
  const e = await getJson(`${base}/v1/entitlements/${id}`);
  const en = await loadCatalogue("en");  // the words the service writes its notes in
  $("drillTitle").textContent = `${e.firm.name} · ${e.policy_name}`;
  $("drillBody").innerHTML = `<p><span class="badge">${esc(stateName(e.state))}</span> ${wan(e.amount)} · ${esc(codeName("trigger", e.trigger_kind))} ${esc(cstDay(e.trigger_on))}`
    + `${e.review ? `<br><span class="error">${esc(e.review)}</span>` : ""}</p>`
    + `<h3>${esc(t("options"))}</h3><table class="grid"><thead><tr><th>${esc(t("options"))}</th><th>${esc(t("amount"))}</th><th>${esc(t("trace"))}</th></tr></thead><tbody>`
    + e.options.map((o) => `<tr><td>${esc(o.name)}</td><td class="num">${wan(o.amount)}</td><td>${esc(optionTrace(o))}</td></tr>`).join("")
    + `</tbody></table><h3>${esc(t("timeline"))}</h3><ol class="timeline">`
    + e.steps.map((s) => `<li><time>${esc(s.on)}</time> <b>${esc(stateName(s.to_state))}</b> ${wan(s.amount)} <span class="note">${esc(actorName(s.by))}${s.note ? ` · ${esc(stepNote(en, s.note))}` : ""}</span></li>`).join("")
    + "</ol>";
  $("drill").hidden = false;
}

export async function exportEntitlements(state) {
  const base = state.me?.entitlements_url;
  return download(`${base}/v1/exports/entitlements.csv`, { year: state.year, state: $("entitlementState").value || null, lang: currentLang() },
    `entitlements-${state.year}.csv`);
}

export function wireMoney(state, report, toast) {
  $("entitlementState").addEventListener("change", () => loadEntitlements(state).catch(report));
  $("entitlementTable").addEventListener("click", (e) => {
    const row = e.target.closest("[data-entitlement]");
    if (row) openEntitlement(state, row.dataset.entitlement).catch(report);
  });
  $("entitlementExport").addEventListener("click", async () => {
    try { toast(`${t("downloaded")}: ${await exportEntitlements(state)}`); } catch (err) { report(err); }
  });
  const asked = new URLSearchParams(location.hash.slice(1)).get("entitlement");
  if (asked) openEntitlement(state, asked).catch(report);  // alerts link here
}

// The round view: deadlines with days left, the funnel per tier and district, the worklist
// (with a CSV export) and the discrepancies between the official lists and the rules.
// Its words come from the bureau's catalogue, like every page's.
import { getJson } from "./api.js";
import { codeName, criterionLabel, districtKeys, districtName, has, say, t, tierName, valueText } from "./i18n.js";

const STAGES = ["qualified", "applied", "district_checked", "recommended", "filed", "not_filed"];

const w = (key, n) => {
  // stages, deadlines and discrepancy kinds are codes; the rest are the page's labels
  for (const field of ["stage", "deadline", "discrepancy"]) if (has(`code.${field}.${key}`)) return codeName(field, key);
  if (key === "daysLeft") return n >= 0 ? t("daysLeft", n) : t("daysAgo", -n);
  return t(key, n);
};
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x) => (x == null ? "—" : `${Math.round(x * 1000) / 10}%`);
const grid = (headers, rows) => `<table class="grid"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>`
  + `<tbody>${rows.join("") || `<tr><td colspan="${headers.length}" class="note">${esc(w("none"))}</td></tr>`}</tbody></table>`;

export const roundState = { year: null, district: "", round: null, worklist: null, discrepancies: null };

function deadlines(data) {
  if (!data.round) return `<p class="note">${esc(w("noRound"))}</p>`;
  return `<ul class="deadlines">${data.deadlines.map((d) => `<li class="${d.days_left < 0 ? "past" : d.days_left <= 3 ? "soon" : ""}">`
    + `<b>${esc(w(d.name))}</b> ${esc(d.on)} <span>${esc(w("daysLeft", d.days_left))}</span></li>`).join("")}</ul>`;
}

function funnel(data) {
  return data.tiers.filter((t) => t.open || t.total.applied || t.total.qualified).map((t) => {
    const head = [w("district"), ...STAGES.map(w)];
    const rows = t.districts.map((d) => `<tr><td>${esc(districtName(d.district))}</td>${STAGES.map((s) => `<td class="num">${d[s]}</td>`).join("")}</tr>`);
    rows.push(`<tr class="total"><td>∑</td>${STAGES.map((s) => `<td class="num">${t.total[s]}</td>`).join("")}</tr>`);
    const lists = t.lists.map((l) => `${esc(l.list_name)} (${esc(l.listed_on)}, ${l.firms})`).join("；");
    return `<h3>${esc(tierName(t.tier))} <small>${esc(w("passRate"))} ${pct(t.pass_rate)} · ${esc(w("earlier"))} ${pct(t.earlier_pass_rate)}</small></h3>`
      + (lists ? `<p class="note">${esc(w("lists"))}: ${lists}</p>` : "") + grid(head, rows);
  }).join("");
}

function localize(params = {}) {
  // codes inside a sentence's parameters are named too
  const out = { ...params };
  if (out.waiting) out.waiting = codeName("stage", out.waiting);
  for (const k of ["filed", "rules", "tier"]) if (out[k]) out[k] = tierName(out[k]);
  return out;
}

function stallText(a) {
  // the ladder says why in English; the page says it from the catalogue when it can
  if (a.stall_key) return say(a.stall_key, localize(a.stall_params));
  return a.reason || "";
}

function evidenceLabel(e) {
  return has(`criterion.${e.key}`) ? criterionLabel(e.key, e.label, e.fy) : e.label;
}

function evidenceValue(e) {
  return valueText(e.value, e.unit, null, e.key);
}

function worklist(data) {
  const evidence = (items) => `<ul class="missing">${items.slice(0, 4).map((e) => `<li>${esc(evidenceLabel(e))}${e.value != null ? `：${esc(evidenceValue(e))}` : ""}</li>`).join("")}</ul>`;
  const apps = (list) => list.map((a) => `<tr data-firm="${a.firm_id}"><td>${esc(a.name)}</td><td>${esc(districtName(a.district))}</td>`
    + `<td>${esc(tierName(a.tier))}</td><td>${esc(codeName("app_state", a.state))}</td><td>${esc(stallText(a))}</td></tr>`);
  return `<h3>${esc(w("notApplied"))} (${data.not_applied_total ?? data.not_applied.length})</h3>`
    + grid([w("name"), w("district"), w("tier"), w("evidence")], data.not_applied.map((n) => `<tr data-firm="${n.firm_id}">`
      + `<td>${esc(n.name)}</td><td>${esc(districtName(n.district))}</td><td>${esc(tierName(n.tier))}</td><td>${evidence(n.evidence)}</td></tr>`))
    + `<h3>${esc(w("stalled"))} (${data.stalled_total ?? data.stalled.length})</h3>` + grid([w("name"), w("district"), w("tier"), w("state"), w("reason")], apps(data.stalled))
    + `<h3>${esc(w("notFiled"))} (${data.not_filed_total ?? data.not_filed.length})</h3>` + grid([w("name"), w("district"), w("tier"), w("state"), w("reason")], apps(data.not_filed));
}

function discrepancies(data) {
  return grid([w("kind"), w("name"), w("district"), w("officialTier"), w("rulesTier"), w("reason")],
    data.items.map((d) => `<tr data-firm="${d.firm_id}"><td>${esc(w(d.kind))}</td><td>${esc(d.name)}</td><td>${esc(districtName(d.district))}</td>`
      + `<td>${esc(d.official_tier ? tierName(d.official_tier) : "—")}</td><td>${esc(tierName(d.rules_tier))}</td><td>${esc(d.explanation_key ? say(d.explanation_key, localize(d.explanation_params)) : d.explanation)}</td></tr>`));
}

export function worklistCsv() {
  // the worklist as the officer takes it out: one line per firm, what to do and why
  const data = roundState.worklist;
  if (!data) return "";
  const quote = (v) => `"${String(v ?? "").replace(/"/g, '""')}"`;
  const lines = [[w("kind"), w("name"), w("district"), w("tier"), w("state"), w("reason")].map(quote).join(",")];
  for (const n of data.not_applied) lines.push([w("notApplied"), n.name, districtName(n.district), tierName(n.tier), "", n.evidence.map(evidenceLabel).join("；")].map(quote).join(","));
  for (const [key, list] of [["stalled", data.stalled], ["notFiled", data.not_filed]]) {
    for (const a of list) lines.push([w(key), a.name, districtName(a.district), tierName(a.tier), codeName("app_state", a.state), stallText(a)].map(quote).join(","));
  }
  return "\ufeff" + lines.join("\r\n") + "\r\n";  // a BOM, so Excel reads the Chinese right
}

function exportWorklist() {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([worklistCsv()], { type: "text/csv;charset=utf-8" }));
  link.download = `worklist-${roundState.year}.csv`;
  document.body.append(link);
  link.click();
  link.remove();
}

export async function loadRound(year) {
  const district = roundState.district || null;  // an officer's desk: one district at a time
  const [round, work, found] = await Promise.all([
    getJson(`/v1/rounds/${year}`, { district }), getJson(`/v1/rounds/${year}/worklist`, { limit: 200, district }),
    getJson(`/v1/rounds/${year}/discrepancies`, { district })]);
  Object.assign(roundState, { year, round, worklist: work, discrepancies: found });
  const card = document.getElementById("roundCard");
  const options = [`<option value="">${esc(w("allDistricts"))}</option>`, ...districtKeys().map((k) =>
    `<option value="${k}" ${k === roundState.district ? "selected" : ""}>${esc(districtName(k))}</option>`)].join("");
  card.innerHTML = `<div class="card-head"><h2>${esc(w("round"))} <span class="year-tag">${year}</span></h2>`
    + `<div class="filters"><select id="roundDistrict">${options}</select></div>`
    + `<button type="button" id="roundExport" class="ghost">${esc(w("export"))}</button></div>`
    + deadlines(round) + `<div id="roundFunnel">${funnel(round)}</div>`
    + `<h2>${esc(w("worklist"))}</h2><div id="roundWorklist">${worklist(work)}</div>`
    + `<h2>${esc(w("discrepancies"))} (${found.items.length})</h2><div id="roundDiscrepancies">${discrepancies(found)}</div>`;
  document.getElementById("roundExport").addEventListener("click", exportWorklist);
  document.getElementById("roundDistrict").addEventListener("change", (e) => {
    roundState.district = e.target.value;
    loadRound(roundState.year).catch((err) => console.error(err));
  });
}

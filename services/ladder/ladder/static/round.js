// The round view: deadlines with days left, the funnel per tier and district, the worklist
// (with a CSV export) and the discrepancies between the official lists and the rules.
// Its words live here, one dict per language, until the bureau's message catalogue lands.
import { getJson } from "./api.js";
import { currentLang, districtKeys, districtName, tierName } from "./i18n.js";

const ROUND_WORDS = {
  zh: {
    round: "年度申报", noRound: "该年度尚未设置申报批次", daysLeft: (n) => (n >= 0 ? `剩 ${n} 天` : `已过 ${-n} 天`),
    firm_deadline: "企业申报截止", district_deadline: "区县推荐截止", city_deadline: "市级推荐截止",
    publication_expected: "预计公布名单", tier: "梯度", district: "区市县", qualified: "符合条件",
    applied: "已申报", district_checked: "区县已审", recommended: "已推荐", filed: "已备案",
    not_filed: "未备案", passRate: "省级通过率", earlier: "往年通过率", worklist: "工作清单",
    notApplied: "符合条件未申报", stalled: "申报停滞", notFiled: "推荐未备案", discrepancies: "差异核对",
    name: "企业名称", evidence: "申报依据", reason: "说明", state: "状态", kind: "类型",
    filed_above_rules: "备案高于规则", qualifying_refused: "符合条件未获备案", rulesTier: "规则评定",
    officialTier: "官方备案", export: "导出 CSV", none: "暂无", lists: "已公布名单",
    allDistricts: "全部区市县",
  },
  en: {
    round: "The round", noRound: "No round set for this year", daysLeft: (n) => (n >= 0 ? `${n} days left` : `${-n} days ago`),
    firm_deadline: "Firms apply by", district_deadline: "Districts recommend by", city_deadline: "City recommends by",
    publication_expected: "List expected", tier: "Tier", district: "District", qualified: "Qualified",
    applied: "Applied", district_checked: "District-checked", recommended: "Recommended", filed: "Filed",
    not_filed: "Not filed", passRate: "Province pass rate", earlier: "Earlier rounds", worklist: "Worklist",
    notApplied: "Qualifying, not applied", stalled: "Stalled", notFiled: "Recommended, not filed",
    discrepancies: "Discrepancies", name: "Firm", evidence: "What the application must show",
    reason: "Why", state: "State", kind: "Kind", filed_above_rules: "Filed above the rules",
    qualifying_refused: "Qualifies, refused", rulesTier: "Rules say", officialTier: "Filed as",
    export: "Export CSV", none: "None", lists: "Published lists", allDistricts: "All districts",
  },
};
const STAGES = ["qualified", "applied", "district_checked", "recommended", "filed", "not_filed"];

const w = (key, ...args) => {
  const value = ROUND_WORDS[currentLang()][key] ?? ROUND_WORDS.zh[key] ?? key;
  return typeof value === "function" ? value(...args) : value;
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

function worklist(data) {
  const evidence = (items) => `<ul class="missing">${items.slice(0, 4).map((e) => `<li>${esc(e.label)}${e.value != null ? `: ${esc(e.value)}` : ""}</li>`).join("")}</ul>`;
  const apps = (list) => list.map((a) => `<tr data-firm="${a.firm_id}"><td>${esc(a.name)}</td><td>${esc(districtName(a.district))}</td>`
    + `<td>${esc(tierName(a.tier))}</td><td>${esc(a.state)}</td><td>${esc(a.reason)}</td></tr>`);
  return `<h3>${esc(w("notApplied"))} (${data.not_applied.length}${data.not_applied_more ? "+" : ""})</h3>`
    + grid([w("name"), w("district"), w("tier"), w("evidence")], data.not_applied.map((n) => `<tr data-firm="${n.firm_id}">`
      + `<td>${esc(n.name)}</td><td>${esc(districtName(n.district))}</td><td>${esc(tierName(n.tier))}</td><td>${evidence(n.evidence)}</td></tr>`))
    + `<h3>${esc(w("stalled"))} (${data.stalled.length})</h3>` + grid([w("name"), w("district"), w("tier"), w("state"), w("reason")], apps(data.stalled))
    + `<h3>${esc(w("notFiled"))} (${data.not_filed.length})</h3>` + grid([w("name"), w("district"), w("tier"), w("state"), w("reason")], apps(data.not_filed));
}

function discrepancies(data) {
  return grid([w("kind"), w("name"), w("district"), w("officialTier"), w("rulesTier"), w("reason")],
    data.items.map((d) => `<tr data-firm="${d.firm_id}"><td>${esc(w(d.kind))}</td><td>${esc(d.name)}</td><td>${esc(districtName(d.district))}</td>`
      + `<td>${esc(d.official_tier ? tierName(d.official_tier) : "—")}</td><td>${esc(tierName(d.rules_tier))}</td><td>${esc(d.explanation)}</td></tr>`));
}

export function worklistCsv() {
  // the worklist as the officer takes it out: one line per firm, what to do and why
  const data = roundState.worklist;
  if (!data) return "";
  const quote = (v) => `"${String(v ?? "").replace(/"/g, '""')}"`;
  const lines = [[w("kind"), w("name"), w("district"), w("tier"), w("state"), w("reason")].map(quote).join(",")];
  for (const n of data.not_applied) lines.push([w("notApplied"), n.name, districtName(n.district), tierName(n.tier), "", n.evidence.map((e) => e.label).join("; ")].map(quote).join(","));
  for (const [key, list] of [["stalled", data.stalled], ["notFiled", data.not_filed]]) {
    for (const a of list) lines.push([w(key), a.name, districtName(a.district), tierName(a.tier), a.state, a.reason].map(quote).join(","));
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

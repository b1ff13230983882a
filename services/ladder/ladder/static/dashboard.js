// The dashboard: load the tables, draw them, follow the live stream, drill into firms.
import { download, dropToken, follow, getJson, HttpError, saveToken, takeToken } from "./api.js";
import { cohortOption, districtOption, funnelOption, targetsOption } from "./charts.js";
import { loadBudget, loadEntitlements, wireMoney } from "./money.js";
import { loadRound } from "./round.js";
import { alertName, codeName, criterionLabel, cstDay, cstTime, currentLang, districtKeys, districtName, eventName, gapOfCriterion, gapText,
  industryKeys, industryName, say, setLang, t, tierName, valueText } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const state = { me: null, year: null, candidateTier: "gazelle", tables: {}, stream: null, events: 0, feed: [] };
const charts = {};
window.dashboard = { state, charts };  // for the browser tests and for curious staff

const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (n) => (n == null ? "" : Number(n).toLocaleString(currentLang() === "zh" ? "zh-CN" : "en"));
const percent = (x) => (x == null ? "" : `${Math.round(x * 1000) / 10}%`);
const whole = (x) => (x == null ? "—" : num(Math.round(x)));  // counts of firms are whole
const method = (r) => (r.forecast_key ? say(r.forecast_key, r.forecast_params || {}) : r.forecast_method || "");

function chart(id, option) {
  charts[id] ??= echarts.init($(id), null, { renderer: "canvas" });
  charts[id].setOption(option, true);
}

function table(el, headers, rows) {
  el.innerHTML = `<thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>`
    + `<tbody>${rows.join("") || `<tr><td colspan="${headers.length}" class="note">${esc(t("none"))}</td></tr>`}</tbody>`;
}

function toast(text) {
  $("toast").textContent = text;
  $("toast").hidden = false;
  setTimeout(() => { $("toast").hidden = true; }, 2500);
}

// ------------------------------------------------------------------ year and fragment

function yearFromHash() {
  const year = Number(new URLSearchParams(location.hash.slice(1)).get("year"));
  return year >= 2000 && year <= 2100 ? year : new Date(state.me.today).getFullYear();
}

function drawYears() {
  const current = new Date(state.me.today).getFullYear();
  const quick = [...new Set([current, 2022])];
  const others = [];
  for (let y = current + 1; y >= 2020; y -= 1) if (!quick.includes(y)) others.push(y);
  $("years").innerHTML = quick.map((y) => `<button type="button" data-year="${y}" class="${y === state.year ? "on" : ""}">${y}</button>`).join("")
    + `<select aria-label="year"><option value="">…</option>${others.map((y) => `<option ${y === state.year ? "selected" : ""}>${y}</option>`).join("")}</select>`;
}

function setYear(year) {
  const params = new URLSearchParams(location.hash.slice(1));
  params.set("year", year);
  history.replaceState(null, "", `#${params}`);
  state.year = year;
  drawYears();
  Promise.all([loadTargets(), loadFunnel(), loadRound(state.year), loadBudget(state),
    loadEntitlements(state)]).catch(report);
}

// ------------------------------------------------------------------ sections

async function loadTargets() {
  const data = await getJson("/v1/dashboard/tables/targets", { year: state.year });
  state.tables.targets = data.rows;
  $("targetsYear").textContent = state.year;
  const set = data.rows.filter((r) => r.target != null);  // a year may have counts but no targets
  $("targetsNote").textContent = set.length ? "" : t("noTargets");
  chart("targetsChart", targetsOption(set));
  table($("targetsTable"), [t("indicator"), t("achieved"), t("target"), t("progress"), t("pace"), t("expected"), t("forecast")],
    data.rows.map((r) => `<tr data-key="${r.key}"><td>${esc(tierName(r.key))}</td><td class="num achieved">${num(r.achieved)}</td>`
      + `<td class="num">${r.target == null ? "—" : num(r.target)}</td><td class="num">${percent(r.progress)}</td>`
      + `<td class="pace-${r.pace}">${esc(r.pace ? codeName("pace", r.pace) : "—")}</td><td class="num">${whole(r.expected_by_now)}</td>`
      + `<td class="num" title="${esc(method(r))}">${r.forecast_low == null ? "—" : `${num(r.forecast_low)} – ${num(r.forecast_high)}`}</td></tr>`));
}

function funnelFilters() {
  return { industry: $("funnelIndustry").value || null, district: $("funnelDistrict").value || null };
}

async function loadFunnel() {
  const data = await getJson("/v1/dashboard/tables/funnel", { ...funnelFilters(), year: state.year });
  $("funnelYear").textContent = state.year;
  state.tables.funnel = data.rows;
  const totals = {};
  for (const r of data.rows) totals[r.tier] = (totals[r.tier] || 0) + r.firms;
  chart("funnelChart", funnelOption(totals));
  const districts = funnelFilters().district ? [funnelFilters().district] : districtKeys();
  chart("districtChart", districtOption(data.rows, districts));
  const share = (d, tier) => {
    const found = data.rows.filter((r) => r.district === d && r.tier === tier);
    return [found.reduce((s, r) => s + r.firms, 0), found.reduce((s, r) => s + r.share_of_city, 0)];
  };
  const rows = districts.map((d) => [d, share(d, "eaglet"), share(d, "gazelle")])
    .filter(([, e, g]) => e[0] + g[0] > 0).sort((a, b) => b[1][0] - a[1][0]);
  table($("shareTable"), [t("district"), `${tierName("eaglet")} ${t("firms")}`, t("share"), `${tierName("gazelle")} ${t("firms")}`, t("share")],
    rows.map(([d, e, g]) => `<tr><td>${esc(districtName(d))}</td><td class="num">${num(e[0])}</td><td class="num">${percent(e[1])}</td>`
      + `<td class="num">${num(g[0])}</td><td class="num">${percent(g[1])}</td></tr>`));
}

async function loadCohorts() {
  const data = await getJson("/v1/dashboard/tables/cohorts");
  chart("cohortChart", cohortOption(data.rows));
  table($("cohortTable"), [t("filingYear"), t("eaglets"), t("within", 1), t("within", 2), t("within", 3)],
    data.rows.map((r) => `<tr><td>${r.filing_year}</td><td class="num">${num(r.eaglets)}</td>`
      + [1, 2, 3].map((n) => `<td class="num">${num(r[`gazelle_within_${n}y`])} (${percent(r[`share_within_${n}y`])})${r[`open_${n}y`] ? ` <small class="note">${t("open")}</small>` : ""}</td>`).join("")
      + "</tr>"));
}

async function loadCandidates() {
  $("candidateTabs").innerHTML = ["eaglet", "gazelle", "unicorn", "leader"].map((k) =>
    `<button type="button" data-tier="${k}" class="${k === state.candidateTier ? "on" : ""}">${esc(tierName(k))}</button>`).join("");
  const data = await getJson("/v1/dashboard/tables/candidates", { tier: state.candidateTier, limit: 15 });
  table($("candidateTable"), [t("name"), t("district"), t("industry"), t("currentTier"), t("failing"), t("probability"), t("missing")],
    data.rows.map((r) => `<tr data-firm="${r.firm_id}"><td>${esc(r.name)}</td><td>${esc(districtName(r.district))}</td>`
      + `<td>${esc(industryName(r.industry))}</td><td>${esc(tierName(r.current_tier))}</td><td class="num">${r.failing_count}</td>`
      + `<td class="num">${percent(r.conversion_probability)}</td><td><ul class="missing">${missingOf(r).map((m) => `<li>${esc(m)}</li>`).join("")}</ul></td></tr>`));
}

function missingOf(r) {
  // each gap from its catalogue key and parameters; the English sentence only if none came
  if (Array.isArray(r.gaps)) return r.gaps.map(gapText);
  return (Array.isArray(r.missing) ? r.missing : String(r.missing || "").split("; ")).filter(Boolean);
}

async function loadInbox() {
  if (state.me.role !== "officer" || !state.me.notifier_url || !state.me.officer_id) return;
  $("inboxCard").hidden = false;
  const data = await getJson(`${state.me.notifier_url}/v1/officers/${state.me.officer_id}/inbox`, { limit: 20 });
  // when it arrived (China Standard Time) and, beside it, the date of what it tells (ISO)
  $("inbox").innerHTML = data.items.map((a) => `<li data-alert="${esc(a.id)}" data-kind="${esc(a.kind)}"${a.firm_id ? ` data-firm="${a.firm_id}"` : ""}>`
    + `<time title="${esc(t("alertArrived"))}">${esc(cstTime(a.created_at))}</time>`
    + (a.on ? `<time class="on" datetime="${esc(a.on)}" title="${esc(t("alertOnHint"))}">${esc(t("alertOn", { on: cstDay(a.on) }))}</time>` : "")
    + `<span class="kind ${a.critical ? "bad" : ""}">${esc(alertName(a.kind))}</span><span>${esc(alertTitle(a))}</span></li>`).join("")
    || `<li class="empty">${esc(t("none"))}</li>`;
}

function alertTitle(a) {
  // the notifier words each alert in its officer's language; a page in the other language
  // words it from the alert's key and parameters through the catalogue
  if (a.language === currentLang() && a.title) return a.title;
  const p = a.params || {};
  const move = p.from_tier && p.to_tier ? `${tierName(p.from_tier)} → ${tierName(p.to_tier)}` : "";
  const target = p.year && p.key ? `${p.year} ${tierName(p.key)}${p.milestone ? ` ${codeName("milestone", p.milestone)}` : ""}` : "";
  return [p.firm, move, target, p.decided_on].filter(Boolean).join(" · ") || alertName(a.kind);
}

// ------------------------------------------------------------------ firm drill-down

function criteriaRows(list, fy, depth = 0) {
  return list.map((c) => `<tr data-criterion="${esc(c.key)}"><td style="padding-left:${8 + depth * 16}px">${esc(criterionLabel(c.key, c.label, fy))}</td>`
    + `<td class="num">${esc(measure(c, c.value, c.threshold))}</td><td class="num">${esc(measure(c, c.threshold))}</td>`
    + `<td><span class="badge ${c.passed ? "pass" : "fail"}">${esc(c.passed ? t("passed") : t("failed"))}</span></td>`
    + `<td class="num">${esc(gapOfCriterion(c, fy))}</td></tr>${criteriaRows(c.children || [], fy, depth + 1)}`).join("");
}

function measure(c, value, against = null) {
  // composites count their passing children; the rest show their value in its unit
  if (c.children?.length) return value == null ? "" : num(value);
  if (Array.isArray(value) && !value.length) return t("none");
  return valueText(value, c.unit, c.passed ? null : against, c.key);
}

const nameCache = new Map();

async function firmName(id) {
  // reports and funding rounds name their firm by id: the page names it
  if (!nameCache.has(id)) {
    nameCache.set(id, getJson(`/v1/firms/${id}/standing`).then((s) => s.name).catch(() => null));
  }
  return nameCache.get(id);
}

async function openFirm(firmId) {
  // a past year's view opens the firm as it stood at that year's end
  const current = new Date(state.me.today).getFullYear();
  const asOf = state.year < current ? `${state.year}-12-31` : null;
  const [standing, history] = await Promise.all([
    getJson(`/v1/firms/${firmId}/standing`, { as_of: asOf }).catch((error) => {
      if (!(error instanceof HttpError) || error.status !== 422) throw error;
      return getJson(`/v1/firms/${firmId}/standing`).then((s) => ({ ...s, notYet: true }));  // founded later
    }),
    getJson(`/v1/firms/${firmId}/history`)]);
  let alerts = [];
  if (state.me.notifier_url) {
    try { alerts = (await getJson(`${state.me.notifier_url}/v1/alerts`, { firm_id: firmId, limit: 20 })).items; } catch (e) { alerts = []; }
  }
  $("drillTitle").textContent = `${standing.name} · ${t("asOf", { day: standing.as_of })}`;
  const order = ["eaglet", "gazelle", "unicorn", "leader"];
  const tiers = Object.entries(standing.criteria || {}).sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  $("drillBody").innerHTML = `<p><span class="badge pass">${esc(tierName(standing.tier))}</span> ${esc(districtName(standing.district))} · ${esc(industryName(standing.industry))}`
    + `${standing.fiscal_year ? ` · ${esc(t("fiscalYear", { fy: standing.fiscal_year }))}` : ""}${standing.filed_on ? ` · ${t("filed")} ${esc(standing.filed_on)}` : ""}${standing.expires_on ? ` · ${t("expires")} ${esc(standing.expires_on)}` : ""}</p>`
    + (standing.notYet ? `<p class="note">${esc(t("notFoundedThen", { year: state.year }))}</p>` : "")
    + (standing.next_tier ? `<p class="note next-tier">${esc(tierName(standing.next_tier.tier))}${currentLang() === "zh" ? "：" : ": "}${esc((standing.next_tier.missing || []).map((m) => (m.gap_kind ? gapText({ kind: m.gap_kind, params: m.params }) : m.hint || m.label)).join(currentLang() === "zh" ? "；" : "; "))}</p>` : "")
    + `<h3>${esc(t("criteria"))}</h3>` + tiers.map(([name, r]) => `<h4>${esc(tierName(name))} <span class="badge ${r.passed ? "pass" : "fail"}">${esc(r.passed ? t("passed") : t("failed"))}</span></h4>`
      + `<table class="grid"><thead><tr><th>${t("criterion")}</th><th>${t("value")}</th><th>${t("threshold")}</th><th></th><th>${t("gap")}</th></tr></thead><tbody>${criteriaRows(r.criteria, standing.fiscal_year)}</tbody></table>`).join("")
    + `<h3>${esc(t("timeline"))}</h3><ol class="timeline">${history.items.map((d) => `<li data-on="${esc(d.on)}"><time>${esc(cstDay(d.on))}</time> <b>${esc(tierName(d.from_tier))} → ${esc(tierName(d.to_tier))}</b> <span class="note">${esc(codeName("change", d.change))}</span></li>`).join("")}</ol>`
    + `<h3>${esc(t("alerts"))}</h3><ol class="feed">${alerts.map((a) => `<li><time>${esc(cstTime(a.created_at))}</time><span class="kind">${esc(alertName(a.kind))}</span><span>${esc(a.severity ? say(`severity.${a.severity}`) : "")}</span></li>`).join("") || `<li class="empty">${esc(t("noAlerts"))}</li>`}</ol>`;
  $("drill").hidden = false;
}

// ------------------------------------------------------------------ live feed

const GOOD = new Set(["TierPromoted", "TierRenewed", "TierRecovered", "TargetMilestoneReached", "AlertDelivered",
  "EntitlementComputed"]);
const BAD = new Set(["TierDemoted", "TierAtRisk", "TierRevoked", "AlertFailed", "CertificateRevoked"]);
const REFRESH = new Set(["TierPromoted", "TierDemoted", "TierAtRisk", "TierRenewed", "TierRevoked", "TierRecovered",
  "TierOverridden", "TargetProgressChanged", "NearMissDetected"]);
let refreshTimer = null;

function feedItem(type, event) {
  const firm = event.data?.firm || event.data?.entitlement?.firm || (event.data?.firm_id ? { id: event.data.firm_id } : null);
  if (firm?.name) nameCache.set(firm.id, Promise.resolve(firm.name));
  const what = firm?.name || (event.data?.year ? `${event.data.year} ${tierName(event.data.key)} ${event.data.achieved}/${event.data.target}` : "");
  const detail = event.data?.to_tier ? `${tierName(event.data.from_tier)} → ${tierName(event.data.to_tier)}` : "";
  const item = document.createElement("li");
  item.dataset.type = type;
  item.innerHTML = `<time>${esc(cstTime(event.occurred_at, true).slice(11))}</time>`
    + `<span class="kind ${GOOD.has(type) ? "good" : BAD.has(type) ? "bad" : ""}">${esc(eventName(type))}</span><span class="what">${esc(what)} ${esc(detail)}</span>`;
  if (firm?.id) {
    item.dataset.firm = firm.id;
    item.style.cursor = "pointer";
    if (!firm.name) {
      firmName(firm.id).then((name) => { item.querySelector(".what").textContent = `${name || "…"} ${detail}`; });
    }
  }
  return item;
}

function drawFeed() {
  $("feed").replaceChildren(...state.feed.map(([type, event]) => feedItem(type, event)));
  if (!state.feed.length) $("feed").innerHTML = `<li class="empty">${esc(t("waiting"))}</li>`;
}

function onEvent(type, event) {
  state.events += 1;
  state.feed.unshift([type, event]);
  state.feed.length = Math.min(state.feed.length, 60);
  $("feed").querySelector(".empty")?.remove();
  $("feed").prepend(feedItem(type, event));
  while ($("feed").children.length > 60) $("feed").lastChild.remove();
  if (REFRESH.has(type)) {
    clearTimeout(refreshTimer);  // a burst of events redraws once
    refreshTimer = setTimeout(() => Promise.all([loadTargets(), loadFunnel(), loadCandidates(), loadCohorts()]).catch(report), 500);
  }
  if (type.startsWith("Alert")) loadInbox().catch(report);
  if (type.startsWith("Entitlement")) {
    clearTimeout(state.moneyTimer);  // a burst of entitlement events redraws the money once
    state.moneyTimer = setTimeout(() => Promise.all([loadBudget(state), loadEntitlements(state)]).catch(report), 800);
  }
}

// ------------------------------------------------------------------ start

function report(error) {
  if (error instanceof HttpError && error.status === 401) { signOut(); return; }
  toast(String(error.message || error));
}

function signOut() {
  dropToken();
  state.stream?.stop();
  location.hash = "";
  location.reload();
}

function drawFilters() {
  $("funnelIndustry").innerHTML = `<option value="">${esc(t("allIndustries"))}</option>` + industryKeys().map((k) => `<option value="${k}">${esc(industryName(k))}</option>`).join("");
  $("funnelDistrict").innerHTML = `<option value="">${esc(t("allDistricts"))}</option>` + districtKeys().map((k) => `<option value="${k}">${esc(districtName(k))}</option>`).join("");
  for (const el of document.querySelectorAll(".exports")) {
    el.innerHTML = `<button type="button" data-fmt="csv">CSV</button> <button type="button" data-fmt="xlsx">${esc(t("excel"))}</button>`;
  }
}

async function loadAll() {
  await Promise.all([loadTargets(), loadFunnel(), loadCohorts(), loadCandidates(), loadInbox(),
    loadRound(state.year), loadBudget(state), loadEntitlements(state)]);
}

function wire() {
  $("years").addEventListener("click", (e) => { if (e.target.dataset.year) setYear(Number(e.target.dataset.year)); });
  $("years").addEventListener("change", (e) => { if (e.target.value) setYear(Number(e.target.value)); });
  window.addEventListener("hashchange", () => { const y = yearFromHash(); if (y !== state.year) setYear(y); });
  $("funnelIndustry").addEventListener("change", () => loadFunnel().catch(report));
  $("funnelDistrict").addEventListener("change", () => loadFunnel().catch(report));
  $("candidateTabs").addEventListener("click", (e) => {
    if (e.target.dataset.tier) { state.candidateTier = e.target.dataset.tier; loadCandidates().catch(report); }
  });
  for (const id of ["candidateTable", "feed", "inbox", "roundCard"]) {
    $(id).addEventListener("click", (e) => { const row = e.target.closest("[data-firm]"); if (row) openFirm(row.dataset.firm).catch(report); });
  }
  $("drillClose").addEventListener("click", () => { $("drill").hidden = true; });
  document.addEventListener("click", async (e) => {
    const fmt = e.target.dataset?.fmt;
    if (!fmt) return;
    const name = e.target.closest(".exports").dataset.table;
    const filters = { targets: { year: state.year }, funnel: { ...funnelFilters(), year: state.year }, cohorts: {}, candidates: { tier: state.candidateTier } }[name];
    try { toast(`${t("downloaded")}: ${await download(`/v1/exports/${name}.${fmt}`, { ...filters, lang: currentLang() })}`); } catch (err) { report(err); }
  });
  $("lang").addEventListener("click", async () => {
    await setLang(currentLang() === "zh" ? "en" : "zh");
    $("lang").textContent = currentLang() === "zh" ? "EN" : "中文";
    drawFilters();
    $("who").textContent = t(state.me.role);
    drawFeed();
    loadAll().catch(report);
  });
  $("signout").addEventListener("click", signOut);
  wireMoney(state, report, toast);
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
}

async function start() {
  await setLang(currentLang());
  $("lang").textContent = currentLang() === "zh" ? "EN" : "中文";
  if (!takeToken()) {
    $("login").hidden = false;
    $("loginForm").addEventListener("submit", (e) => { e.preventDefault(); saveToken($("token").value.trim()); location.reload(); });
    return;
  }
  try {
    state.me = await getJson("/v1/dashboard/me");
  } catch (error) {
    dropToken();
    $("login").hidden = false;
    $("loginError").textContent = t("badToken");
    $("loginError").hidden = false;
    $("loginForm").addEventListener("submit", (e) => { e.preventDefault(); saveToken($("token").value.trim()); location.reload(); });
    return;
  }
  $("main").hidden = false;
  $("signout").hidden = false;
  $("who").hidden = false;
  $("who").textContent = t(state.me.role);
  state.year = yearFromHash();
  drawYears();
  drawFilters();
  wire();
  drawFeed();
  await loadAll().catch(report);
  state.stream = follow("/v1/stream", { onEvent, onState: (s) => { $("live").dataset.state = s; } });
}

start();

// ECharts options for the dashboard's charts (pure functions of the tables).
import { codeName, districtName, say, t, tierName } from "./i18n.js";

const PALETTE = ["#1565c0", "#2e7d32", "#8e24aa", "#6a1b9a", "#c62828", "#ef6c00", "#00838f"];
export const FUNNEL_TIERS = ["eaglet", "gazelle", "unicorn:seed", "unicorn:potential", "unicorn:unicorn", "leader"];
const pct = (n, d) => (d ? Math.round((1000 * n) / d) / 10 : 0);

export function targetsOption(rows) {
  const names = rows.map((r) => tierName(r.key));
  const achieved = rows.map((r) => ({ value: pct(r.achieved, r.target), row: r }));
  // a long-shot forecast (6 unicorns for a target of 1) must not squash the other bars
  const top = Math.min(200, Math.max(120, ...rows.map((r) => pct(r.forecast_high, r.target) + 10)));
  return {
    color: PALETTE,
    grid: { left: 56, right: 24, top: 40, bottom: 36 },
    legend: { top: 0, data: [t("achieved"), t("paceMarker"), t("forecastBand")] },
    tooltip: {
      trigger: "axis", axisPointer: { type: "shadow" },
      formatter(items) {
        const r = rows[items[0].dataIndex];
        return `<b>${tierName(r.key)}</b><br>${t("achieved")}: ${r.achieved} / ${r.target} (${pct(r.achieved, r.target)}%)`
          + `<br>${t("expected")}: ${Math.round(r.expected_by_now)}<br>${t("pace")}: ${codeName("pace", r.pace)}`
          + `<br>${t("forecast")}: ${r.forecast_low} – ${Math.round(r.forecast_expected)} – ${r.forecast_high}`
          + `<div style="max-width:360px;white-space:normal;color:#555">${t("method")}: ${r.forecast_key ? say(r.forecast_key, r.forecast_params || {}) : r.forecast_method}</div>`;
      },
    },
    xAxis: { type: "category", data: names },
    yAxis: { type: "value", max: Math.ceil(top / 10) * 10, axisLabel: { formatter: "{value}%" } },
    series: [
      {
        name: t("forecastBand"), type: "custom", z: 1, clip: true,
        itemStyle: { color: "rgba(239,108,0,0.45)" },  // the legend's swatch
        data: rows.map((r, i) => [i, pct(r.forecast_low, r.target), pct(r.forecast_high, r.target)]),
        encode: { x: 0, y: [1, 2] },
        renderItem(params, api) {
          const low = api.coord([api.value(0), api.value(1)]);
          const high = api.coord([api.value(0), api.value(2)]);
          const width = api.size([1, 0])[0] * 0.56;
          return { type: "rect", shape: { x: low[0] - width / 2, y: high[1], width, height: Math.max(2, low[1] - high[1]) },
            style: { fill: "rgba(239,108,0,0.16)", stroke: "#ef6c00", lineDash: [4, 3] } };
        },
      },
      {
        name: t("achieved"), type: "bar", barWidth: "30%", z: 2, data: achieved,
        itemStyle: { borderRadius: [4, 4, 0, 0], color: "#1565c0" },
        label: { show: true, position: "top", formatter: (p) => `${p.data.row.achieved}/${p.data.row.target}` },
        markLine: { symbol: "none", lineStyle: { color: "#c62828", type: "dashed" },
          label: { formatter: t("target") }, data: [{ yAxis: 100 }] },
      },
      {
        name: t("paceMarker"), type: "scatter", z: 3, symbol: "rect", symbolSize: [46, 4],
        itemStyle: { color: "#263238" }, data: rows.map((r) => pct(r.expected_by_now, r.target)),
      },
    ],
  };
}

export function funnelOption(totals) {
  const data = FUNNEL_TIERS.map((k) => ({ name: tierName(k), value: totals[k] || 0 }));
  return {
    color: ["#1e88e5", "#43a047", "#ab47bc", "#8e24aa", "#6a1b9a", "#e53935"],
    tooltip: { trigger: "item", formatter: "{b}: {c}" },
    series: [{
      type: "funnel", left: "8%", width: "84%", top: 10, bottom: 10, sort: "none", minSize: "34%", gap: 3,
      label: { show: true, position: "inside", formatter: "{b}  {c}", color: "#fff", fontWeight: 600 },
      data,
    }],
  };
}

export function districtOption(rows, districts) {
  const tiers = ["eaglet", "gazelle", "unicorn", "leader"];
  const count = (d, tier) => rows.filter((r) => r.district === d && r.tier.startsWith(tier))
    .reduce((sum, r) => sum + r.firms, 0);
  return {
    color: ["#1e88e5", "#43a047", "#8e24aa", "#e53935"],
    legend: { top: 0 }, tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 48, right: 16, top: 36, bottom: 64 },
    xAxis: { type: "category", data: districts.map(districtName), axisLabel: { rotate: 35 } },
    yAxis: { type: "value" },
    series: tiers.map((tier) => ({ name: tierName(tier), type: "bar", stack: "all",
      data: districts.map((d) => count(d, tier)) })),
  };
}

export function cohortOption(rows) {
  return {
    color: ["#90caf9", "#43a047", "#fb8c00", "#c62828"],
    legend: { top: 0 }, tooltip: { trigger: "axis" },
    grid: { left: 48, right: 48, top: 36, bottom: 30 },
    xAxis: { type: "category", data: rows.map((r) => String(r.filing_year)) },
    yAxis: [{ type: "value", name: t("eaglets") }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: t("eaglets"), type: "bar", data: rows.map((r) => r.eaglets) },
      ...[1, 2, 3].map((n) => ({ name: t("within", n), type: "line", yAxisIndex: 1, smooth: true, symbolSize: 8,
        data: rows.map((r) => Math.round(1000 * r[`share_within_${n}y`]) / 10) })),
    ],
  };
}

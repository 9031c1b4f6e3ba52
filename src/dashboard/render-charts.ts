import { html, type SafeHtml } from "./html.js";

export interface BarDatum {
  label: string;
  value: number;
}

const FONT = 13;

/** A horizontal bar chart as inline SVG, with a marker line (e.g. `max_load`); bars past it are drawn as over. */
export function renderBarChart(options: { id: string; title: string; description: string; data: readonly BarDatum[]; marker?: { value: number; label: string } }): SafeHtml {
  const { data, marker } = options;
  const labelWidth = 150;
  const barArea = 460;
  const row = 26;
  const top = 24;
  const height = top + Math.max(1, data.length) * row + 28;
  const max = Math.max(1, ...data.map((d) => d.value), marker?.value ?? 0);
  const x = (v: number) => labelWidth + (v / max) * barArea;
  const bars = data.map((d, i) => {
    const y = top + i * row;
    const over = marker !== undefined && marker.value > 0 && d.value >= marker.value;
    return html`<g class="bar${over ? " over" : ""}"><text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end" font-size="${FONT}">${shorten(d.label, 20)}</text><rect x="${labelWidth}" y="${y + 4}" width="${Math.max(2, x(d.value) - labelWidth)}" height="${row - 8}" rx="2"></rect><text x="${x(d.value) + 6}" y="${y + 17}" font-size="${FONT}">${d.value}${over ? " (at or over max_load)" : ""}</text></g>`;
  });
  const line =
    marker && marker.value > 0
      ? html`<g class="marker"><line x1="${x(marker.value)}" x2="${x(marker.value)}" y1="${top - 6}" y2="${height - 24}" stroke-dasharray="6 4"></line><text x="${x(marker.value)}" y="${top - 10}" text-anchor="middle" font-size="${FONT}">${marker.label}</text></g>`
      : "";
  return html`<figure class="chart"><svg viewBox="0 0 ${labelWidth + barArea + 200} ${height}" role="img" aria-labelledby="${options.id}-title ${options.id}-desc" class="bar-chart"><title id="${options.id}-title">${options.title}</title><desc id="${options.id}-desc">${options.description}</desc>${bars}${line}</svg></figure>`;
}

export interface LineSeries {
  label: string;
  values: ReadonlyArray<number | null>;
  /** CSS class naming its colour; the dash pattern tells series apart without colour. */
  className: string;
  dash: string;
}

/** A line chart as inline SVG; gaps where a value is null. Also returned: a table of the same data. */
export function renderLineChart(options: {
  id: string;
  title: string;
  description: string;
  xLabels: readonly string[];
  series: readonly LineSeries[];
  format: (v: number) => string;
  yMax?: number;
}): SafeHtml {
  const width = 720;
  const height = 280;
  const left = 56;
  const right = 16;
  const top = 16;
  const bottom = 40;
  const all = options.series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const step = options.yMax !== undefined ? options.yMax / 4 : niceStep(Math.max(0, ...all));
  const max = options.yMax ?? Math.max(step, Math.ceil(Math.max(0, ...all) / step) * step);
  const n = options.xLabels.length;
  const x = (i: number) => left + (n <= 1 ? 0 : (i / (n - 1)) * (width - left - right));
  const y = (v: number) => top + (1 - v / (max || 1)) * (height - top - bottom);
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);
  const grid = ticks.map(
    (t) => html`<g class="grid"><line x1="${left}" x2="${width - right}" y1="${y(t)}" y2="${y(t)}"></line><text x="${left - 6}" y="${y(t) + 4}" text-anchor="end" font-size="11">${options.format(t)}</text></g>`,
  );
  const xs = options.xLabels.map((label, i) => (i % 2 === n % 2 || n <= 6 ? html`<text x="${x(i)}" y="${height - bottom + 18}" text-anchor="middle" font-size="11">${label}</text>` : ""));
  const lines = options.series.map((s) => {
    const segments: string[] = [];
    let current: string[] = [];
    s.values.forEach((v, i) => {
      if (v === null) {
        if (current.length) segments.push(current.join(" "));
        current = [];
      } else current.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
    });
    if (current.length) segments.push(current.join(" "));
    const points = s.values.map((v, i) => (v === null ? "" : html`<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3"></circle>`));
    return html`<g class="series ${s.className}">${segments.map((p) => (p.includes(" ") ? html`<polyline points="${p}" fill="none" stroke-dasharray="${s.dash}"></polyline>` : ""))}${points}</g>`;
  });
  const legend = html`<ul class="legend">${options.series.map((s) => html`<li class="${s.className}"><svg width="28" height="10" aria-hidden="true"><line x1="0" x2="28" y1="5" y2="5" stroke-dasharray="${s.dash}"></line></svg>${s.label}</li>`)}</ul>`;
  const table = html`<details><summary>${options.title}: the figures</summary><div class="scroll"><table><thead><tr><th scope="col">Week of</th>${options.series.map((s) => html`<th scope="col">${s.label}</th>`)}</tr></thead><tbody>${options.xLabels.map((label, i) => html`<tr><th scope="row">${label}</th>${options.series.map((s) => html`<td>${s.values[i] === null || s.values[i] === undefined ? "–" : options.format(s.values[i]!)}</td>`)}</tr>`)}</tbody></table></div></details>`;
  return html`<figure class="chart"><svg viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${options.id}-title ${options.id}-desc" class="line-chart"><title id="${options.id}-title">${options.title}</title><desc id="${options.id}-desc">${options.description}</desc>${grid}${xs}${lines}</svg>${legend}</figure>${table}`;
}

/** A round step (1, 2 or 5 times a power of ten) giving at most about five gridlines up to `v`. */
function niceStep(v: number): number {
  if (v <= 0) return 1;
  const raw = v / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= raw) return step * magnitude;
  return 10 * magnitude;
}

function shorten(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

#!/usr/bin/env python3
"""Renders the Ballot Grafana dashboard's panels as one SVG, from what a real Prometheus answered to the same queries.

No Grafana runs on the build machines, so the docs' picture of the dashboard (docs/metrics.md) is drawn from the e2e
`prometheus` scenario's range queries (its artifacts' prometheus/dashboard-range.json), laid out as the dashboard's
gridPos lays out the panels. Standard library only.

  e2e/tools/plot-dashboard.py <dashboard-range.json> [deploy/monitoring/ballot-dashboard.json] > docs/images/dashboard.svg
"""
import html
import json
import math
import re
import sys

COLORS = ["#73bf69", "#f2cc0c", "#5794f2", "#ff780a", "#b877d9", "#f2495c", "#8ab8ff", "#96d98d"]
CELL_W, CELL_H = 40, 30  # pixels per Grafana grid unit (24 columns; rows of 30 px)


def legend(fmt, metric):
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: metric.get(m.group(1), ""), fmt) or json.dumps(metric)


def fmt_value(v, unit):
    if unit == "percentunit":
        return f"{v * 100:.0f}%"
    if unit == "s":
        return f"{v * 1000:.0f} ms" if abs(v) < 1 else f"{v:.1f} s"
    if unit == "bytes":
        for suffix, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
            if abs(v) >= size:
                return f"{v / size:.1f} {suffix}"
        return f"{v:.0f} B"
    if abs(v) >= 1000:
        return f"{v / 1000:.1f}k"
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != int(v) else f"{v:.0f}"


def panel_svg(out, panel, results, t0, t1):
    g = panel["gridPos"]
    x0, y0, w, h = g["x"] * CELL_W, g["y"] * CELL_H, g["w"] * CELL_W, g["h"] * CELL_H
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "short")
    out.append(f'<rect x="{x0 + 2}" y="{y0 + 2}" width="{w - 4}" height="{h - 4}" rx="3" fill="#181b1f" stroke="#2c3235"/>')
    out.append(f'<text x="{x0 + 10}" y="{y0 + 18}" class="t">{html.escape(panel["title"])}</text>')
    series = []
    for target, result in zip(panel["targets"], results):
        for s in result:
            pts = [(float(t), float(v)) for t, v in s["values"] if v not in ("NaN", "+Inf", "-Inf")]
            if pts:
                series.append((legend(target.get("legendFormat", ""), s["metric"]), pts))
    px0, px1 = x0 + 52, x0 + w - 12
    py0, py1 = y0 + 28, y0 + h - 22 - 12 * ((len(series) + 2) // 3)
    if not series:
        out.append(f'<text x="{x0 + w / 2}" y="{y0 + h / 2}" class="l" text-anchor="middle">No data</text>')
        return
    lo = min(v for _, pts in series for _, v in pts)
    hi = max(v for _, pts in series for _, v in pts)
    lo = min(lo, 0)
    if hi - lo < 1e-12:
        hi = lo + 1
    sx = lambda t: px0 + (t - t0) / (t1 - t0) * (px1 - px0)
    sy = lambda v: py1 - (v - lo) / (hi - lo) * (py1 - py0)
    for i in range(3):
        v = lo + (hi - lo) * i / 2
        out.append(f'<line x1="{px0}" y1="{sy(v):.1f}" x2="{px1}" y2="{sy(v):.1f}" stroke="#2c3235"/>')
        out.append(f'<text x="{px0 - 4}" y="{sy(v) + 3:.1f}" class="a" text-anchor="end">{fmt_value(v, unit)}</text>')
    for i in range(4):
        t = t0 + (t1 - t0) * i / 3
        label = f"{(t - t0):.0f} s" if t1 - t0 < 300 else f"{(t - t0) / 60:.0f} min"
        out.append(f'<text x="{sx(t):.1f}" y="{py1 + 11}" class="a" text-anchor="middle">{label}</text>')
    step_after = panel.get("fieldConfig", {}).get("defaults", {}).get("custom", {}).get("lineInterpolation") == "stepAfter"
    for i, (name, pts) in enumerate(series):
        color = COLORS[i % len(COLORS)]
        stride = max(1, math.ceil(len(pts) / 200))
        pts = pts[::stride] + ([pts[-1]] if (len(pts) - 1) % stride else [])
        path, prev = [], None
        for t, v in pts:
            if prev is not None and t - prev[0] > 10:  # a gap in the data (a stopped member): break the line
                path.append(f"M{sx(t):.1f},{sy(v):.1f}")
            elif prev is not None and step_after:
                path.append(f"L{sx(t):.1f},{sy(prev[1]):.1f}L{sx(t):.1f},{sy(v):.1f}")
            else:
                path.append(f"{'L' if prev else 'M'}{sx(t):.1f},{sy(v):.1f}")
            prev = (t, v)
        out.append(f'<path d="{"".join(path)}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        lx = x0 + 12 + (i % 3) * (w - 24) / 3
        ly = py1 + 24 + 12 * (i // 3)
        out.append(f'<rect x="{lx:.1f}" y="{ly - 7}" width="10" height="3" fill="{color}"/>')
        out.append(f'<text x="{lx + 14:.1f}" y="{ly - 3}" class="l">{html.escape(name[:40])}</text>')


def main():
    ranges = json.load(open(sys.argv[1]))
    dashboard = json.load(open(sys.argv[2] if len(sys.argv) > 2 else "deploy/monitoring/ballot-dashboard.json"))
    t0, t1 = ranges["start"], ranges["end"]
    height = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in dashboard["panels"]) * CELL_H
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{24 * CELL_W}" height="{height}" '
           f'font-family="Inter, Helvetica, Arial, sans-serif">',
           "<style>.t{fill:#ccccdc;font-size:13px;font-weight:500}.a{fill:#8e8e8e;font-size:9px}"
           ".l{fill:#ccccdc;font-size:10px}.r{fill:#ccccdc;font-size:14px;font-weight:600}</style>",
           f'<rect width="100%" height="100%" fill="#111217"/>']
    for p in dashboard["panels"]:
        if p["type"] == "row":
            out.append(f'<text x="8" y="{p["gridPos"]["y"] * CELL_H + 20}" class="r">{html.escape(p["title"])}</text>')
        elif p["title"] in ranges["panels"]:
            panel_svg(out, p, ranges["panels"][p["title"]], t0, t1)
    out.append("</svg>")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()

"""Small server-side SVG charts: presentation attributes only (no style attributes), so they
respect the CSP inline and stay vectors in the PDF. Each chart has a text alternative next to it."""
from __future__ import annotations

from markupsafe import Markup, escape

# Status colours from the Rijkshuisstijl palette; the legend and tables carry the meaning, not colour.
STATUS_COLOURS = {"done": "#39870c", "awaiting_confirmation": "#a90061", "in_progress": "#01689b", "blocked": "#d52b1e", "open": "#8fcae7",
                  "cancelled": "#b4b4b4"}
STATUS_NAMES = {"done": "Afgerond", "awaiting_confirmation": "Wacht op bevestiging", "in_progress": "Bezig", "blocked": "Geblokkeerd",
                "open": "Open", "cancelled": "Vervallen"}


def status_bars(rows: list[tuple[str, dict[str, int]]], title: str) -> Markup:
    """One horizontal stacked bar per row (label, counts per status)."""
    width, bar_h, gap, label_w = 640, 22, 12, 90
    height = len(rows) * (bar_h + gap) + 58  # two legend rows
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">']
    for index, (label, counts) in enumerate(rows):
        y = index * (bar_h + gap)
        total = sum(counts.values())
        parts.append(f'<text x="0" y="{y + 16}" font-size="13" fill="#1a1a1a">{escape(label)}</text>')
        x = label_w
        for status, colour in STATUS_COLOURS.items():
            n = counts.get(status, 0)
            if not n:
                continue
            w = (width - label_w - 40) * n / total
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}" stroke="#ffffff"><title>{STATUS_NAMES[status]}: {n}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 16}" font-size="12" fill="#1a1a1a">{total}</text>')
    top = len(rows) * (bar_h + gap) + 8
    for index, (status, colour) in enumerate(STATUS_COLOURS.items()):
        x, y = (index % 3) * 200, top + (index // 3) * 20
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/><text x="{x + 16}" y="{y + 11}" font-size="12" fill="#1a1a1a">{STATUS_NAMES[status]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(points: list[tuple[str, float | None]], title: str, target: float | None = None, unit: str = "",
               targets: dict[str, float] | None = None, breaks: frozenset[str] = frozenset()) -> Markup:
    """Values over periods; a gap (None) breaks the line, it is never drawn as zero. `targets` marks the target of a
    period (a dashed tick labelled "doel"); a period in `breaks` starts a new definition: the line is not joined
    across it and a dotted vertical line says "breuk"."""
    targets = targets or {}
    width, height, left, bottom, top = 640, 260, 70, 40, 20
    known = [v for _, v in points if v is not None] + ([target] if target is not None else []) + list(targets.values())
    if not points or not known:
        return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" height="40"><text x="0" y="20" font-size="13" fill="#1a1a1a">Geen cijfers</text></svg>')
    high = max(known) * 1.1 or 1
    step = (width - left - 20) / max(len(points) - 1, 1)

    def xy(i, v):
        return left + i * step, top + (height - top - bottom) * (1 - v / high)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#535353"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#535353"/>',
             f'<text x="4" y="{top + 10}" font-size="12" fill="#1a1a1a">{high:,.0f}</text>'.replace(",", "."),
             f'<text x="4" y="{height - bottom}" font-size="12" fill="#1a1a1a">0 {escape(unit)}</text>']
    segment: list[str] = []
    for i, (label, value) in enumerate(points):
        x, _ = xy(i, 0)
        parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" font-size="12" text-anchor="middle" fill="#1a1a1a">{escape(label)}</text>')
        if label in breaks and i:
            bx = x - step / 2
            if len(segment) > 1:
                parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="#154273" stroke-width="2"/>')
            segment = []
            parts.append(f'<line x1="{bx:.1f}" y1="{top}" x2="{bx:.1f}" y2="{height - bottom}" stroke="#535353" stroke-dasharray="2 3"/>'
                         f'<text x="{bx + 3:.1f}" y="{top + 10}" font-size="12" fill="#1a1a1a">breuk</text>')
        if label in targets:
            _, ty = xy(i, targets[label])
            parts.append(f'<line x1="{x - 14:.1f}" y1="{ty:.1f}" x2="{x + 14:.1f}" y2="{ty:.1f}" stroke="#d52b1e" stroke-width="2" stroke-dasharray="4 2">'
                         f'<title>doel {escape(label)}: {targets[label]:g} {escape(unit)}</title></line>'
                         f'<text x="{x + 16:.1f}" y="{ty + 4:.1f}" font-size="11" fill="#1a1a1a">doel</text>')
        if value is None:
            if len(segment) > 1:
                parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="#154273" stroke-width="2"/>')
            segment = []
            parts.append(f'<text x="{x:.1f}" y="{height - bottom - 6}" font-size="11" text-anchor="middle" fill="#535353">n.b.</text>')
            continue
        px, py = xy(i, value)
        segment.append(f"{px:.1f},{py:.1f}")
        parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="#154273"><title>{escape(label)}: {value:g} {escape(unit)}</title></circle>')
    if len(segment) > 1:
        parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="#154273" stroke-width="2"/>')
    if target is not None:
        _, ty = xy(0, target)
        parts.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{width - 10}" y2="{ty:.1f}" stroke="#d52b1e" stroke-dasharray="6 4"/>'
                     f'<text x="{width - 12}" y="{ty - 4:.1f}" font-size="12" text-anchor="end" fill="#1a1a1a">doel {target:g}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

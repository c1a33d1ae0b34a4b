"""Small server-side SVG charts: presentation attributes only (no style attributes), so they respect the CSP inline
and stay vectors in the PDF. Each chart has a text alternative next to it (a table with the same numbers)."""
from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from .periods import parse_period

# Status colours from the Rijkshuisstijl palette; the legend and tables carry the meaning, not colour.
STATUS_COLOURS = {"done": "#39870c", "awaiting_confirmation": "#a90061", "in_progress": "#01689b", "blocked": "#d52b1e", "open": "#8fcae7",
                  "cancelled": "#b4b4b4"}
STATUS_NAMES = {"done": _l("Afgerond"), "awaiting_confirmation": _l("Wacht op bevestiging"), "in_progress": _l("Bezig"),
                "blocked": _l("Geblokkeerd"), "open": _l("Open"), "cancelled": _l("Vervallen")}
TEXT = "#1a1a1a"
FONT = 14


def _number(value: float) -> str:
    """Dutch notation: 12.345 and 12,5."""
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")


def nice_ticks(high: float, count: int = 5) -> list[float]:
    """0 .. a round number at or above `high`, in round steps (1, 2, 2.5 or 5 times a power of ten)."""
    if high <= 0:
        return [0.0, 1.0]
    raw = high / (count - 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    top = step * math.ceil(high / step)
    return [i * step for i in range(int(round(top / step)) + 1)]


def _svg(title: str, width: int, height: int) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}">')


def status_bars(rows: list[tuple[str, dict[str, int]]], title: str) -> Markup:
    """One horizontal stacked bar per row (label, counts per status); bar lengths are proportional to the counts,
    so a row with half the actions has half the bar."""
    width, bar_h, gap, label_w, right = 640, 24, 12, 70, 60
    legend_rows = math.ceil(len(STATUS_COLOURS) / 3)
    height = len(rows) * (bar_h + gap) + 8 + legend_rows * 24
    most = max((sum(c.values()) for _, c in rows), default=0) or 1
    scale = (width - label_w - right) / most
    parts = [_svg(title, width, height)]
    for index, (label, counts) in enumerate(rows):
        y = index * (bar_h + gap)
        total = sum(counts.values())
        parts.append(f'<text x="0" y="{y + 17}" font-size="{FONT}" fill="{TEXT}">{escape(label)}</text>')
        x: float = label_w
        for status, colour in STATUS_COLOURS.items():
            n = counts.get(status, 0)
            if not n:
                continue
            w = n * scale
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}" stroke="#ffffff">'
                         f'<title>{escape(label)}, {STATUS_NAMES[status]}: {n}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 17}" font-size="{FONT}" fill="{TEXT}">{total}</text>')
    top = len(rows) * (bar_h + gap) + 8
    for index, (status, colour) in enumerate(STATUS_COLOURS.items()):
        x, y = (index % 3) * 210, top + (index // 3) * 24
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{colour}"/>'
                     f'<text x="{x + 20}" y="{y + 12}" font-size="{FONT - 1}" fill="{TEXT}">{STATUS_NAMES[status]}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _moment(label: str, index: int) -> float:
    """The middle of a period, in days; labels that are not periods are spaced one year apart."""
    try:
        _, start, end = parse_period(label)
    except ValueError:
        return index * 365.0
    return (start.toordinal() + end.toordinal()) / 2


def line_chart(points: list[tuple[str, float | None]], title: str, target: float | None = None, unit: str = "",
               targets: dict[str, float] | None = None, breaks: frozenset[str] = frozenset()) -> Markup:
    """Values over time: the horizontal axis is proportional to time (2018 -> 2024-Q3 is six years, not one step),
    the vertical axis has round value ticks, the unit is named once above the axis. A gap (None) breaks the line, it
    is never drawn as zero. `targets` marks the target of a period (a dashed tick labelled "doel"); a period in `breaks`
    starts a new definition: the line is not joined across it and a dotted vertical line says "breuk"."""
    targets = targets or {}
    known = [v for _, v in points if v is not None] + ([target] if target is not None else []) + list(targets.values())
    if not points or not known:
        return Markup(f'{_svg(title, 640, 40)}<text x="0" y="24" font-size="{FONT}" fill="{TEXT}">{escape(_l("Geen cijfers"))}</text></svg>')
    ticks = nice_ticks(max(max(known), 0))
    plot = _Plot([_moment(label, i) for i, (label, _) in enumerate(points)], ticks[-1] or 1)
    parts = [_svg(title, plot.width, plot.height), *_axes(plot, ticks, unit), *_period_labels(plot, points),
             *_series(plot, points, targets, breaks, unit)]
    if target is not None:
        ty = plot.y_of(target)
        parts.append(f'<line x1="{plot.left}" y1="{ty:.1f}" x2="{plot.width - plot.right + 10}" y2="{ty:.1f}" stroke="#d52b1e" stroke-dasharray="6 4"/>'
                     f'<text x="{plot.width - plot.right + 8}" y="{ty - 4:.1f}" font-size="{FONT - 1}" text-anchor="end" fill="{TEXT}">{escape(_l("doel"))} {_number(target)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


class _Plot:
    """A line chart's drawing area: x proportional to each point's moment in time, y from 0 to the highest tick."""

    width, height, left, right, bottom, top = 640, 280, 76, 48, 44, 34

    def __init__(self, moments: list[float], high: float):
        self.moments, self.high = moments, high
        self.first, self.last = min(moments), max(moments)

    def x_of(self, i: int) -> float:
        plot_w = self.width - self.left - self.right
        if self.last == self.first:
            return self.left + plot_w / 2
        return self.left + (self.moments[i] - self.first) / (self.last - self.first) * plot_w

    def y_of(self, v: float) -> float:
        return self.top + (self.height - self.top - self.bottom) * (1 - v / self.high)


def _axes(plot: _Plot, ticks: list, unit: str) -> list[str]:
    """The unit once above the axis, a grid line and label per round tick, and both axes."""
    left, right, width, height, bottom, top = plot.left, plot.right, plot.width, plot.height, plot.bottom, plot.top
    parts = [f'<text x="{left}" y="{top - 14}" font-size="{FONT - 1}" fill="{TEXT}">{escape(unit)}</text>'] if unit else []
    for tick in ticks:
        y = plot.y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right + 10}" y2="{y:.1f}" stroke="#e0e0e0"/>'
                     f'<text x="{left - 8}" y="{y + 5:.1f}" font-size="{FONT - 1}" text-anchor="end" fill="{TEXT}">{_number(tick)}</text>')
    parts.append(f'<line x1="{left}" y1="{height - bottom}" x2="{width - right + 10}" y2="{height - bottom}" stroke="#535353"/>'
                 f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#535353"/>')
    return parts


def _period_labels(plot: _Plot, points: list[tuple[str, float | None]]) -> list[str]:
    """Period labels under their moment; one that would overlap the previous one is left out (the table has them all)."""
    parts, last_label_end = [], -1e9
    for i, (label, _) in enumerate(points):
        x, half = plot.x_of(i), len(label) * 4.2
        if x - half > last_label_end + 6:
            parts.append(f'<text x="{x:.1f}" y="{plot.height - plot.bottom + 20}" font-size="{FONT - 1}" text-anchor="middle" fill="{TEXT}">'
                         f'{escape(label)}</text>')
            last_label_end = x + half
    return parts


def _series(plot: _Plot, points: list[tuple[str, float | None]], targets: dict[str, float], breaks: frozenset[str], unit: str) -> list[str]:
    """The line (broken at a gap and at a new definition), a dot per known value, "n.b." for a gap, a tick per target."""
    parts: list[str] = []
    segment: list[str] = []

    def flush():
        if len(segment) > 1:
            parts.append(f'<polyline points="{" ".join(segment)}" fill="none" stroke="#154273" stroke-width="2"/>')
        segment.clear()

    for i, (label, value) in enumerate(points):
        x = plot.x_of(i)
        if label in breaks and i:
            flush()
            parts.append(_break(plot, (plot.x_of(i - 1) + x) / 2))
        if label in targets:
            parts.append(_target_tick(plot, x, label, targets[label], unit))
        if value is None:
            flush()
            parts.append(f'<text x="{x:.1f}" y="{plot.height - plot.bottom - 6}" font-size="{FONT - 2}" text-anchor="middle" fill="#535353">{escape(_l("n.b."))}</text>')
            continue
        y = plot.y_of(value)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#154273"><title>{escape(label)}: {_number(value)} {escape(unit)}</title></circle>')
    flush()
    return parts


def _break(plot: _Plot, bx: float) -> str:
    return (f'<line x1="{bx:.1f}" y1="{plot.top}" x2="{bx:.1f}" y2="{plot.height - plot.bottom}" stroke="#535353" stroke-dasharray="2 3"/>'
            f'<text x="{bx + 3:.1f}" y="{plot.top + 12}" font-size="{FONT - 1}" fill="{TEXT}">{escape(_l("breuk"))}</text>')


def _target_tick(plot: _Plot, x: float, label: str, value: float, unit: str) -> str:
    ty = plot.y_of(value)
    return (f'<line x1="{x - 14:.1f}" y1="{ty:.1f}" x2="{x + 14:.1f}" y2="{ty:.1f}" stroke="#d52b1e" stroke-width="2" stroke-dasharray="4 2">'
            f'<title>{escape(_l("doel"))} {escape(label)}: {_number(value)} {escape(unit)}</title></line>'
            f'<text x="{x + 16:.1f}" y="{ty + 4:.1f}" font-size="{FONT - 2}" fill="{TEXT}">{escape(_l("doel"))}</text>')


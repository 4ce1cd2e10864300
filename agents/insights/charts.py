"""Charts as server-rendered SVG: no script, readable without colour (line styles, markers, text labels),
each with a title and description for screen readers. The numbers are always also in a table."""

from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 120, 16, 36


def _frame(title: str, description: str, body: SafeString, *, height: int = HEIGHT, key: str = "") -> SafeString:
    """`key` names the chart's ids when several charts on one page could share a title."""
    chart_id = _id(key or title)
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-t {}-d">'
        '<title id="{}-t">{}</title><desc id="{}-d">{}</desc>{}</svg>',
        WIDTH,
        height,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        body,
    )


def _join(parts: list[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _id(title: str) -> str:
    return "chart-" + "".join(ch if ch.isalnum() else "-" for ch in title.lower())


def _axes(*, top: float, y_top: float) -> list[SafeString]:
    """The x and y axes of a plot area with the y axis labelled 0 and `top`."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    return [
        format_html(
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', LEFT, TOP + plot_h, LEFT + plot_w, TOP + plot_h
        ),
        format_html('<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', LEFT, TOP, LEFT, TOP + plot_h),
        format_html('<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>', LEFT - 6, y_top + 4, top),
        format_html('<text class="tick" x="{}" y="{}" text-anchor="end">0</text>', LEFT - 6, TOP + plot_h + 4),
    ]


def burnup(
    *,
    points: list[tuple[date, int]],
    start: date,
    end: date,
    target: int,
    forecast: int | None,
    title: str = "Qualified meetings against the target",
    key: str = "",
) -> SafeString:
    """Qualified meetings so far (solid line, round markers), the target line (dashed, from 0 at the start
    to the target at the end) and the forecast at the current pace (dotted, from today to the end)."""
    span = max((end - start).days, 1)
    top = max([target, forecast or 0, *(value for _, value in points), 1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: date) -> float:
        return round(LEFT + plot_w * min(max((day - start).days, 0), span) / span, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    parts = [
        *_axes(top=top, y_top=y(top)),
        format_html('<text class="tick" x="{}" y="{}">{}</text>', LEFT, HEIGHT - 10, start.strftime("%d %b")),
        format_html(
            '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
            LEFT + plot_w,
            HEIGHT - 10,
            end.strftime("%d %b"),
        ),
        format_html(
            '<line class="series-target" x1="{}" y1="{}" x2="{}" y2="{}"/>'
            '<text class="label" x="{}" y="{}">target {}</text>',
            x(start),
            y(0),
            x(end),
            y(target),
            x(end) + 6,
            y(target) + 4,
            target,
        ),
    ]
    if points:
        path = " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in points)
        parts.append(format_html('<polyline class="series-actual" points="{}"/>', path))
        parts.append(
            format_html_join(
                "",
                '<circle class="marker-actual" cx="{}" cy="{}" r="3"/>',
                ((f"{x(d):.1f}", f"{y(v):.1f}") for d, v in points),
            )
        )
        last_day, last_value = points[-1]
        parts.append(
            format_html(
                '<text class="label" x="{}" y="{}">now {}</text>', x(last_day) + 6, y(last_value) - 6, last_value
            )
        )
        if forecast is not None and last_day < end:
            parts.append(
                format_html(
                    '<line class="series-forecast" x1="{}" y1="{}" x2="{}" y2="{}"/>'
                    '<rect class="marker-forecast" x="{}" y="{}" width="6" height="6"/>'
                    '<text class="label" x="{}" y="{}">forecast {}</text>',
                    x(last_day),
                    y(last_value),
                    x(end),
                    y(forecast),
                    x(end) - 3,
                    y(forecast) - 3,
                    x(end) + 6,
                    y(forecast) + 16,
                    forecast,
                )
            )
    description = (
        f"Qualified meetings from {start:%d %b %Y} to {end:%d %b %Y}: {points[-1][1] if points else 0} so far, "
        f"target {target}" + (f", forecast {forecast}" if forecast is not None else "") + ". Solid line: actual; "
        "dashed: target; dotted: forecast."
    )
    return _frame(title, description, _join(parts), key=key)


def bars(*, title: str, rows: list[tuple[str, float]], value_format: str = "{:g}") -> SafeString:
    """Horizontal bars, each labelled with its name and value (no colour needed to read it)."""
    bar_h, gap, label_w = 20, 8, 170
    height = TOP + len(rows) * (bar_h + gap) + 8
    top = max([value for _, value in rows] + [1])
    plot_w = WIDTH - label_w - 90
    parts = []
    for index, (label, value) in enumerate(rows):
        y = TOP + index * (bar_h + gap)
        width = plot_w * (value / top) if top else 0
        parts.append(
            format_html(
                '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="bar bar-{}" x="{}" y="{}" width="{}" height="{}"/>'
                '<text class="label" x="{}" y="{}">{}</text>',
                label_w - 8,
                y + 15,
                label,
                index % 2,
                label_w,
                y,
                width,
                bar_h,
                label_w + width + 6,
                y + 15,
                value_format.format(value),
            )
        )
    description = "; ".join(f"{label}: {value_format.format(value)}" for label, value in rows) or "No data yet."
    return _frame(title, description, _join(parts), height=max(height, 60))


def weekly_rate(*, title: str, weeks: list[tuple[date, float | None]]) -> SafeString:
    """A share per week (0–100 %) as a line with square markers and each value written above it."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    known = [(day, value) for day, value in weeks if value is not None]
    parts = [
        format_html(
            '<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>', LEFT, TOP + plot_h, LEFT + plot_w, TOP + plot_h
        ),
        format_html('<text class="tick" x="{}" y="{}" text-anchor="end">100%</text>', LEFT - 6, TOP + 4),
        format_html('<text class="tick" x="{}" y="{}" text-anchor="end">0%</text>', LEFT - 6, TOP + plot_h + 4),
    ]
    if known:
        step = plot_w / max(len(known) - 1, 1)
        coords = [
            (LEFT + index * step, TOP + plot_h * (1 - value), day, value) for index, (day, value) in enumerate(known)
        ]
        parts.append(
            format_html(
                '<polyline class="series-actual" points="{}"/>', " ".join(f"{a:.1f},{b:.1f}" for a, b, _, _ in coords)
            )
        )
        for cx, cy, day, value in coords:
            parts.append(
                format_html(
                    '<rect class="marker-forecast" x="{}" y="{}" width="6" height="6"/>'
                    '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text>'
                    '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                    cx - 3,
                    cy - 3,
                    cx,
                    cy - 8,
                    value,
                    cx,
                    HEIGHT - 10,
                    day.strftime("%d %b"),
                )
            )
    description = "; ".join(f"week of {day:%d %b}: {value:.0%}" for day, value in known) or "No decided drafts yet."
    return _frame(title, description, _join(parts))


def daily_series(*, title: str, days: list[date], series: list[tuple[str, str, list[int]]]) -> SafeString:
    """Counts per day as lines, one per (label, style, values): style "actual" is a solid line with round
    markers, "target" a dashed line with square markers, so the series differ without colour. Each
    line's latest value and name are written at its end."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max([1, *(value for _, _, values in series for value in values)])
    step = plot_w / max(len(days) - 1, 1)

    def y(value: float) -> float:
        return round(TOP + plot_h * (1 - value / top), 1)

    parts = [
        *_axes(top=top, y_top=y(top)),
    ]
    if days:
        for index in sorted({0, len(days) // 2, len(days) - 1}):
            parts.append(
                format_html(
                    '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                    round(LEFT + index * step, 1),
                    HEIGHT - 10,
                    days[index].strftime("%d %b"),
                )
            )
    marker = {
        "actual": '<circle class="marker-actual" cx="{}" cy="{}" r="2.5"/>',
        "target": '<rect class="marker-square" x="{}" y="{}" width="5" height="5"/>',
    }
    for line_index, (label, style, values) in enumerate(series):
        coords = [(round(LEFT + index * step, 1), y(value)) for index, value in enumerate(values)]
        if not coords:
            continue
        parts.append(
            format_html(
                '<polyline class="series-{}" points="{}"/>', style, " ".join(f"{a:.1f},{b:.1f}" for a, b in coords)
            )
        )
        offset = 0 if style == "actual" else 2.5
        parts.append(
            format_html_join("", marker[style], ((f"{a - offset:.1f}", f"{b - offset:.1f}") for a, b in coords))
        )
        last_x, last_y = coords[-1]
        parts.append(
            format_html(
                '<text class="label" x="{}" y="{}">{}: {}</text>',
                last_x + 8,
                last_y + 4 + 14 * line_index,
                label,
                values[-1],
            )
        )
    totals = "; ".join(
        f"{label}: {sum(values)} in all, at most {max(values, default=0)} a day" for label, _, values in series
    )
    span = f"from {days[0]:%d %b %Y} to {days[-1]:%d %b %Y}" if days else "no days"
    styles = "; ".join(
        f"{label}: {'solid line, round markers' if style == 'actual' else 'dashed line, square markers'}"
        for label, style, _ in series
    )
    return _frame(title, f"Per day {span}. {totals}. {styles}.", _join(parts))

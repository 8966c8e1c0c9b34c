"""Charts for notebooks and report pages: Altair specifications rendered to static SVG.

The site must work offline, so charts are rendered to SVG with vl-convert at build time (no
JavaScript, no CDN). Every chart is accompanied by a table on the page (table first: accessible,
and the numbers can be copied). Number formats follow Danish conventions (da-DK locale).
"""

from __future__ import annotations

import html

import altair as alt
import polars as pl
import vl_convert as vlc

from boligmonitor.areas import AREAS, KOMMUNE_ID, PLAN_TOTAL_ID, display_name

#: One colour per area, the same on every chart (colour-blind-safe Tableau 10 subset).
AREA_COLOURS = {
    "gl_jennumparken": "#4e79a7",
    "glarbjergvej": "#f28e2b",
    "hermann_stillingsvej": "#59a14f",
    "energivej": "#b07aa1",
    "vangdalen": "#e15759",
    "sjaellandsgade": "#9c755f",
    PLAN_TOTAL_ID: "#76b7b2",
    KOMMUNE_ID: "#79706e",
}
FONT = "DejaVu Sans"


def area_scale(area_ids: list[str] | None = None) -> alt.Scale:
    ids = area_ids or [a.id for a in AREAS]
    return alt.Scale(domain=[display_name(i) for i in ids], range=[AREA_COLOURS[i] for i in ids])


def themed(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    # labelLimit=0: legend labels are never cut ("Hermann Stillingsvej-området" in full); two columns
    # keep the longest names side by side within a phone-sized chart.
    return chart.configure(font=FONT).configure_axis(labelFontSize=12, titleFontSize=12).configure_legend(
        labelFontSize=12, titleFontSize=12, orient="bottom", columns=2, labelLimit=0
    ).configure_view(stroke=None)


def to_svg(chart: alt.TopLevelMixin, alt_text: str | None = None) -> str:
    """Render a chart to an SVG string offline (vl-convert), with Danish number formats.

    ``alt_text`` becomes the SVG's accessible name (``role="img"``, ``aria-label`` and ``<title>``), so a
    screen reader says what the chart shows; the numbers themselves are in the table next to it."""
    svg = vlc.vegalite_to_svg(themed(chart).to_json(), format_locale="da-DK", time_format_locale="da-DK")
    if alt_text:
        text = html.escape(alt_text, quote=True)
        head, rest = svg.split(">", 1)
        svg = f'{head} role="img" aria-label="{text}"><title>{text}</title>{rest}'
    return svg


def show(chart: alt.TopLevelMixin, alt_text: str | None = None):
    """Display a chart as inline SVG in a notebook or a Quarto page."""
    from IPython.display import SVG

    return SVG(to_svg(chart, alt_text))


def with_names(df: pl.DataFrame, col: str = "area_id") -> pl.DataFrame:
    return df.with_columns(pl.col(col).map_elements(display_name, return_dtype=pl.Utf8).alias("område"))


def line_by_area(
    df: pl.DataFrame, *, x: str, y: str, y_title: str, x_title: str = "År", threshold: float | None = None,
    threshold_label: str = "grænse", percent: bool = False, width: int = 560, height: int = 260,
    thresholds: pl.DataFrame | None = None,
) -> alt.Chart:
    """One line per area over the years, optionally with a threshold: a horizontal rule (``threshold``)
    or a dashed line through ``thresholds`` (columns ``x`` and ``threshold``), for a threshold that
    changed with the law."""
    # Suppressed values (null) stay in the data and break the line (invalid="break-paths-show-domains"): a gap, never a 0.
    data = with_names(df)
    ids = [i for i in AREA_COLOURS if i in set(df["area_id"].to_list())]
    fmt = ".1f" if percent else ",.0f"
    base = alt.Chart(data.to_pandas()).encode(
        x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)),
        y=alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=fmt)),
        color=alt.Color("område:N", scale=area_scale(ids), title="Område"),
    )
    chart = base.mark_line(point=True, invalid="break-paths-show-domains")
    if thresholds is not None and thresholds.height:
        t = thresholds.rename({"threshold": "grænse"}).to_pandas()
        line = alt.Chart(t).encode(x=alt.X(f"{x}:O"), y=alt.Y("grænse:Q"))
        chart = chart + line.mark_line(strokeDash=[6, 4], color="#333", interpolate="step-after") + \
            line.mark_point(shape="stroke", color="#333", size=0).encode(tooltip=[alt.Tooltip("grænse:Q", format=".2f")])
    elif threshold is not None:
        rule = alt.Chart(pl.DataFrame({"t": [threshold], "label": [threshold_label]}).to_pandas())
        chart = chart + rule.mark_rule(strokeDash=[6, 4], color="#333").encode(y="t:Q") + rule.mark_text(
            align="left", dx=4, dy=-6, color="#333").encode(y="t:Q", text="label:N", x=alt.value(0))
    props = {"width": width, "height": height}
    if thresholds is not None and thresholds.height:
        props["title"] = alt.TitleParams(y_title, subtitle="Stiplet linje: grænsen i det pågældende listeår",
                                         anchor="start", fontSize=13)
    return chart.properties(**props)


def bars_by_area(df: pl.DataFrame, *, value: str, title: str, width: int = 520) -> alt.Chart:
    data = with_names(df).filter(pl.col(value).is_not_null())
    ids = [i for i in AREA_COLOURS if i in set(df["area_id"].to_list())]
    return alt.Chart(data.to_pandas()).mark_bar().encode(
        x=alt.X(f"{value}:Q", title=title, axis=alt.Axis(format=",.0f")),
        y=alt.Y("område:N", sort="-x", title=None),
        color=alt.Color("område:N", scale=area_scale(ids), legend=None),
        tooltip=["område:N", alt.Tooltip(f"{value}:Q", format=",.0f")],
    ).properties(width=width)

"""Offline maps: render without a tile server, say when the geometry is illustrative."""

from __future__ import annotations

import json

import pandas as pd

from boligmonitor.geo import address_points
from boligmonitor.geo.maps import ILLUSTRATIVE_SUBTITLE, area_map, mismatch_map, to_svg


def test_area_map_is_offline_and_labelled():
    chart = area_map()
    spec = json.loads(chart.to_json())
    text = json.dumps(spec, ensure_ascii=False)
    assert ILLUSTRATIVE_SUBTITLE in text
    assert "Nørrevangsskolen" in text and "Hobrovejens Skole" in text
    assert "url" not in json.dumps(spec.get("data", {}))  # inline data only, no tiles or remote files
    svg = to_svg(area_map("vangdalen"))
    assert svg.startswith("<svg") and "Vangdalen" in svg


def test_mismatch_map_highlights_disagreements():
    p = address_points()
    df = pd.DataFrame({"x": p.geometry.x, "y": p.geometry.y, "street": p["street"],
                       "house_number": p["house_number"],
                       "match_status": ["both" if a else "none" for a in p["area_id"]]})
    df.loc[df.index[0], "match_status"] = "conflict"
    text = json.dumps(json.loads(mismatch_map(df).to_json()), ensure_ascii=False)
    assert "Forskelligt område" in text
    first = f"{df['street'].iloc[0]} {df['house_number'].iloc[0]}"
    assert first in text

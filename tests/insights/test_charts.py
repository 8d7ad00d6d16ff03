import re

from insights.charts import bar_chart, text_width


def test_it_sizes_the_bar_chart_text_columns_from_the_longest_texts():
    long_value = "100% (1234/1300 eligible, 456 in window)"
    long_label = "FVM within 7 working days, eligible only"
    svg = str(
        bar_chart(
            chart_id="c",
            title="T",
            desc="D",
            bars=[(long_label, 1.0, long_value), ("short", 0.2, "20%")],
            max_value=1,
        )
    )
    width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg)[1])
    value_x = float(re.search(r'<text x="([\d.]+)"[^>]*>' + re.escape(long_value), svg)[1])
    assert value_x + text_width(long_value) <= width + 1
    label_x = float(re.search(r'<text x="([\d.]+)" [^>]*text-anchor="end">' + long_label, svg)[1])
    assert label_x - text_width(long_label) >= -1
    assert '<title id="c-title">T</title>' in svg and '<desc id="c-desc">D</desc>' in svg
    assert f">{long_value}</text>" in svg


def test_it_keeps_the_default_width_when_the_texts_are_short():
    svg = str(bar_chart(chart_id="c", title="T", desc="D", bars=[("a", 1, "1")]))
    assert 'viewBox="0 0 640 ' in svg

"""The language crawl's eyes: what counts as visible text and as a word of the other language."""

from __future__ import annotations

from tests.page_words import chinese_in, english_in, visible_texts

ZH_PAGE = """
<html><head><title>客户价值模型</title><script>var label = "Loading";</script>
<style>.x { content: "Hidden"; }</style></head>
<body data-theme="Light">
  <h1>客户价值模型</h1>
  <p>Expected spend is each customer's own mean (Gamma-Gamma could not be used).</p>
  <p>列名 <code>periods_since_last</code>，示例 <span lang="en">Holdout</span></p>
  <span class="material-symbols-outlined">edit</span>
  <input type="hidden" name="next" value="Overview">
  <input type="text" placeholder="Search accounts" value="王芳">
  <select><option value="active">Active</option><option value="x">华东会展</option></select>
  <p>可选值：direct（默认）、walk_in、phone。yes/no。</p>
  <p>CLV 与 RFM · P(alive) · 王芳 · wangfang</p>
</body></html>
"""


def test_visible_text_leaves_out_scripts_codes_hidden_values_and_icons():
    texts = visible_texts(ZH_PAGE)
    joined = " ".join(texts)
    for hidden in ("Loading", "Hidden", "periods_since_last", "Holdout", "edit", "Overview",
                   "Light"):  # fmt: skip
        assert hidden not in joined
    assert "Search accounts" in texts  # a placeholder is read
    assert "Active" in texts  # an option's label is read, its value is not


def test_english_on_a_chinese_page_is_found_unless_it_is_data_or_a_name():
    found = english_in(visible_texts(ZH_PAGE), data_words={"wangfang"})
    assert any("Gamma-Gamma could not be used" in t for t in found)
    assert "Search accounts" in found and "Active" in found
    assert not any("direct" in t or "CLV" in t or "wangfang" in t for t in found)


def test_chinese_on_an_english_page_is_found_unless_it_is_data():
    page = """<body><p>Visit (当面拜访)</p><p>Owner: 王芳</p>
              <p lang="zh-Hans">客户编号</p><option>华东会展</option></body>"""
    found = chinese_in(visible_texts(page), data_runs={"王芳", "华东会展"})
    assert found == ["Visit (当面拜访)"]


def test_a_name_kept_in_both_languages_is_found_alone_on_an_english_page():
    """A stored name with an English version is data only beside that English version (a list
    of both columns); alone, the page shows Chinese where it should show English."""
    twins = {"金卡": {"Gold card"}}
    data = {"金卡", "王芳"}
    alone = "<body><p>Tier: 金卡</p><p>Owner: 王芳</p></body>"
    assert chinese_in(visible_texts(alone), data_runs=data, twins=twins) == ["Tier: 金卡"]
    both = "<body><td>金卡</td><td>Gold card</td><p>Owner: 王芳</p></body>"
    assert chinese_in(visible_texts(both), data_runs=data, twins=twins) == []
    english = "<body><p>Tier: Gold card</p></body>"
    assert chinese_in(visible_texts(english), data_runs=data, twins=twins) == []

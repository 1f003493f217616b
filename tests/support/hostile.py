"""Names a received file may carry that must stay data: template, script and spreadsheet
formula syntaxes, for the security tests and the hypothesis fuzzers."""

from __future__ import annotations

import re

from hypothesis import strategies as st

#: Run as a Jinja template, this creates a file named PWNED in the working directory.
JINJA_RCE = "{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}"
HOSTILE_NAMES = [
    JINJA_RCE,
    "{% for x in range(3) %}loop{% endfor %}",
    "{{ 7*7 }}",
    "${alert(1)}",
    "`${alert(2)}`",
    "</script><script>alert(3)</script>",
    "<img src=x onerror=alert(4)>",
    '"><svg onload=alert(5)>',
    "'; alert(6); '",
    "line\u2028sep\u2029arator",
    '=HYPERLINK("http://evil.example/","点我")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
]

#: Other text a file may carry to trip a program: SQL, a NUL byte, a path out of the folder.
OTHER_HOSTILE = ["'; DROP TABLE layers; --", "\u0000", "nul\u0000byte", "../../etc/passwd"]

#: The characters of those syntaxes, so generated names mix them with plain text.
_PIECES = st.sampled_from(
    [
        "{{",
        "}}",
        "{%",
        "%}",
        "${",
        "}",
        "`",
        "<",
        ">",
        "</script>",
        "<script>",
        "&",
        "'",
        '"',
        "=",
        "+",
        "-",
        "@",
        "\t",
        "\r",
        "\u2028",
        "\\",
        "alert(1)",
        "馆",
        " ",
    ]
)


def hostile_names() -> st.SearchStrategy[str]:
    """A known hostile name, or plain text spliced with template/script/formula syntax."""
    spliced = st.lists(st.one_of(_PIECES, st.text(max_size=4)), min_size=1, max_size=8).map("".join)
    return st.one_of(st.sampled_from(HOSTILE_NAMES + OTHER_HOSTILE), spliced)


#: A <script> element of a page, and the random name folium gives its map (`map_<32 hex>`).
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S)
MAP_NAME = re.compile(r"\bmap_[0-9a-f]{32}\b")


def fixed_scripts(html: str) -> list[str]:
    """The scripts of a map page other than its JSON data element, folium's map named "map":
    the same for every page, whatever names its data holds."""
    return [MAP_NAME.sub("map", s) for s in SCRIPT.findall(html) if 'id="planner-data"' not in s]


def empty_page_scripts(*, standalone: bool = True) -> list[str]:
    """The fixed scripts of a map page that shows nothing (no user text at all)."""
    from planner.maps import MapPage

    return fixed_scripts(MapPage(groups=[], layers=[]).html(standalone=standalone))

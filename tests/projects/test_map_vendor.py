"""The vendored chart library (static/vendor/echarts) is the pinned npm release, unmodified,
with its licence: scripts/vendor_echarts.py --check, offline."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    path = ROOT / "scripts" / "vendor_echarts.py"
    spec = importlib.util.spec_from_file_location("vendor_echarts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vendored_files_match_their_pins():
    script = _script()
    assert script.check_local() == []
    names = {name for name, _digest in script.FILES.values()}
    assert {"echarts.min.js", "LICENSE", "NOTICE"} <= names
    assert "Apache License" in (script.DEST / "LICENSE").read_text()
    assert script.TARBALL.endswith(f"/echarts-{script.VERSION}.tgz")


def test_the_library_loads_from_our_static_files_only():
    """No CDN: the page names the vendored copy; the library itself fetches nothing."""
    html = (ROOT / "templates" / "projects" / "map.html").read_text()
    assert "{% static 'vendor/echarts/echarts.min.js' %}" in html
    assert "//cdn" not in html and "https://" not in html
    assert "sourceMappingURL" not in (ROOT / "static/vendor/echarts/echarts.min.js").read_text()


def test_a_changed_file_is_caught(tmp_path):
    script = _script()
    for name, _digest in script.FILES.values():
        (tmp_path / name).write_bytes((script.DEST / name).read_bytes())
    (tmp_path / "echarts.min.js").write_bytes(b"/* tampered */")
    problems = script.check_local(tmp_path)
    assert len(problems) == 1 and "echarts.min.js" in problems[0]

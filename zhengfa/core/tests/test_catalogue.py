"""The Chinese catalogue is complete: makemessages on a copy of the tree leaves nothing new."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[3]


def test_makemessages_leaves_nothing_untranslated(tmp_path: Path) -> None:
    copy = tmp_path / "tree"
    shutil.copytree(
        ROOT / "zhengfa", copy / "zhengfa", ignore=shutil.ignore_patterns("__pycache__", "*.mo")
    )
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    env = {
        **os.environ,
        "PYTHONPATH": str(copy),
        "ZHENGFA_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "zhengfa.settings",
    }
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--ignore=var",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    po = polib.pofile(str(copy / "zhengfa/locale/zh_Hans/LC_MESSAGES/django.po"))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"

"""Refresh the message catalogue: extract Dutch msgids, merge into portal/translations/en, compile.

    .venv/bin/python devtools/translations.py

New msgids arrive untranslated (shown in Dutch until someone translates them in the .po file);
tests/test_i18n.py fails while any msgid lacks an English text.
"""
import subprocess
import sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
bin_dir = Path(sys.executable).parent
pot = root / "portal" / "translations" / "messages.pot"
po = root / "portal" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
subprocess.run([bin_dir / "pybabel", "extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--omit-header",
                "--ignore-dirs=.venv node_modules devtools static", "-o", str(pot), "."], cwd=root, check=True)
if po.exists():
    subprocess.run([bin_dir / "pybabel", "update", "-i", str(pot), "-d", "portal/translations", "-l", "en",
                    "--no-fuzzy-matching"], cwd=root, check=True)
else:
    subprocess.run([bin_dir / "pybabel", "init", "-i", str(pot), "-d", "portal/translations", "-l", "en"], cwd=root, check=True)
subprocess.run([bin_dir / "pybabel", "compile", "-d", "portal/translations", "-l", "en"], cwd=root, check=True)

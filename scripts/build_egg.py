"""Build the egg Scrapyd runs the crawls from: ``python scripts/build_egg.py [DIRECTORY]``.

The egg holds what the wheel holds (``[tool.hatch.build.targets.wheel]`` in pyproject.toml:
the ``crawler``, ``archive``, ``extraction`` and ``mocksite`` packages with their data files,
``archive/schema.md`` included) and tells Scrapyd where the settings are (the ``scrapy``
entry point ``settings = crawler.settings``). It is made from the wheel because
``scrapyd-deploy``'s own build (``setup.py bdist_egg`` with setuptools, which writes a
``setup.py`` into the checkout) reads the project's entry points from pyproject.toml, so its
egg has no ``scrapy`` entry point, which Scrapyd needs, and packs ``tests/`` and ``bench/`` but
none of the data files. Deploy it with ``scrapyd-deploy TARGET --egg EGG`` or
``addversion.json`` (docs/scaling.md). Prints the egg's path.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The Scrapy settings module, as scrapy.cfg names it.
SETTINGS = "crawler.settings"


def build_wheel(directory: Path) -> Path:
    """The wheel of the checkout, built with the build backend of the environment (no
    network, no build isolation)."""
    options = ["--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(directory)]
    subprocess.run([sys.executable, "-m", "pip", "wheel", *options, str(ROOT)], check=True)
    [wheel] = directory.glob("*.whl")
    return wheel


def entry_points(text: str) -> str:
    """The wheel's ``entry_points.txt`` with the ``scrapy`` group Scrapyd reads."""
    return text.rstrip("\n") + f"\n\n[scrapy]\nsettings = {SETTINGS}\n"


def egg_from_wheel(wheel: Path, egg: Path) -> Path:
    """Repack ``wheel`` as ``egg``: the same files, its ``.dist-info`` as ``EGG-INFO``."""
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(egg, "w", zipfile.ZIP_DEFLATED) as out:
        names = source.namelist()
        [info] = {name.split("/", 1)[0] for name in names if ".dist-info/" in name}
        top_level = sorted(
            {name.split("/", 1)[0] for name in names if "/" in name and not name.startswith(info)}
        )
        for name in names:
            if not name.startswith(info + "/"):
                out.writestr(name, source.read(name))
        out.writestr("EGG-INFO/PKG-INFO", source.read(f"{info}/METADATA"))
        points = f"{info}/entry_points.txt"
        given = source.read(points).decode() if points in names else ""
        out.writestr("EGG-INFO/entry_points.txt", entry_points(given))
        out.writestr("EGG-INFO/top_level.txt", "".join(f"{name}\n" for name in top_level))
        out.writestr("EGG-INFO/zip-safe", "\n")
    return egg


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", nargs="?", default="dist", type=Path)
    directory: Path = parser.parse_args(argv).directory
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        wheel = build_wheel(Path(scratch))
        name = wheel.name.split("-")
        egg = egg_from_wheel(wheel, directory / f"{name[0]}-{name[1]}-py3.egg")
    print(egg)


if __name__ == "__main__":
    main()

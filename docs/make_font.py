"""Make bot/media/fonts/PathwaysNotoSans-Regular.ttf: Noto Sans with Noto Sans Arabic merged in.

Pillow draws a line with one font, and the pictures mix Arabic with Latin names and figures
("Maine JobLink", "$24"), so one font must hold both. Both are under the SIL Open Font License
1.1 (bot/media/fonts/OFL.txt); the merged font is renamed, as the licence asks of a modified
version. Run once, by hand, with fontTools (not a project dependency):

    apt-get download fonts-noto-core && dpkg-deb -x fonts-noto-core_*.deb noto
    pip install fonttools
    python docs/make_font.py noto/usr/share/fonts/truetype/noto
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.merge import Merger, Options

OUT = Path(__file__).resolve().parent.parent / "bot" / "media" / "fonts"


def main(source: Path) -> None:
    """Merge the Regular weights and write the renamed font."""
    merger = Merger(options=Options(drop_tables=["vmtx", "vhea", "MATH", "STAT"]))
    font = merger.merge(
        [str(source / "NotoSans-Regular.ttf"), str(source / "NotoSansArabic-Regular.ttf")]
    )
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = "Pathways Noto Sans"
        elif record.nameID == 4:
            record.string = "Pathways Noto Sans Regular"
        elif record.nameID == 6:
            record.string = "PathwaysNotoSans-Regular"
    font.save(str(OUT / "PathwaysNotoSans-Regular.ttf"))
    print(f"{len(font.getGlyphOrder())} glyphs -> {OUT / 'PathwaysNotoSans-Regular.ttf'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

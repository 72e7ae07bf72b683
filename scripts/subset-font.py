#!/usr/bin/env python3
"""Make assets/fonts/NotoSansSC-Subset.otf, the font embedded for chart labels.

Run once by hand (the build never downloads anything):

    apt-get download fonts-noto-cjk          # Debian's Noto Sans CJK (SIL OFL 1.1)
    dpkg-deb -x fonts-noto-cjk_*.deb noto
    pip install fonttools
    python3 scripts/subset-font.py noto/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc

It keeps the Simplified Chinese face (Noto Sans CJK SC) of the collection, restricted to
printable ASCII, Latin-1, general punctuation, CJK punctuation, full-width forms and the
6,763 hanzi of GB2312 (levels 1 and 2), plus the traditional characters of the theme labels.
"""

import sys
from pathlib import Path

from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTCollection

OUT = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "NotoSansSC-Subset.otf"


def gb2312_hanzi():
    """Every character of GB2312 levels 1 and 2 (rows 16-87)."""
    chars = []
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def main(ttc_path):
    collection = TTCollection(ttc_path)
    font = next(
        f for f in collection.fonts if "SC" in f["name"].getDebugName(1) and "Mono" not in f["name"].getDebugName(1)
    )
    codepoints = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180))
    codepoints |= set(range(0x2000, 0x2070)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    codepoints |= {ord(c) for c in gb2312_hanzi()}
    codepoints |= {ord(c) for c in "價質貨後產發購買賣與從這個們為時對說現會來"}
    options = Options()
    options.layout_features = ["kern", "liga", "vert", "locl"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = False
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(f"{OUT}: {OUT.stat().st_size / 1e6:.2f} MB, {len(codepoints)} code points requested")


if __name__ == "__main__":
    main(sys.argv[1])

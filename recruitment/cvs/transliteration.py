# ruff: noqa: RUF001  (Serbian Cyrillic is the point of this file)
"""Serbian Cyrillic to Latin (Gaj's alphabet), so the talent pool's search finds
"Ковачевић" by "Kovačević" or "Kovacevic", and "Kovačević" by "Ковачевић".

Both sides go through it: the text indexed (in SQL, by the function `ats_translit` that
migration 0024 creates from this same table; a test holds the two equal) and the query
typed (in Python, `to_latin`). Diacritics are then dropped by the `unaccent` dictionary of
the `ats_search` text search configuration, so "đ" and "dj", "č" and "c" find each other.
Macedonian and Russian letters that are not Serbian stay as they are.
"""

# Lower case; upper case letters map to the capitalised Latin form ("Љ" -> "Lj").
CYRILLIC_TO_LATIN: dict[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "ђ": "đ",
    "е": "e",
    "ж": "ž",
    "з": "z",
    "и": "i",
    "ј": "j",
    "к": "k",
    "л": "l",
    "љ": "lj",
    "м": "m",
    "н": "n",
    "њ": "nj",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "ћ": "ć",
    "у": "u",
    "ф": "f",
    "х": "h",
    "ц": "c",
    "ч": "č",
    "џ": "dž",
    "ш": "š",
}

_TABLE = {
    **{ord(cyrillic): latin for cyrillic, latin in CYRILLIC_TO_LATIN.items()},
    **{ord(cyrillic.upper()): latin.capitalize() for cyrillic, latin in CYRILLIC_TO_LATIN.items()},
}


def to_latin(text: str) -> str:
    """`text` with every Serbian Cyrillic letter written in Latin; nothing else changes."""
    return text.translate(_TABLE)


def sql_function_body() -> str:
    """The body of the SQL function `ats_translit(text)`: the same mapping, as nested
    replace() calls for the letters that become two, and one translate() for the rest;
    nothing at all for a text without a Serbian Cyrillic letter."""
    singles = {c: latin for c, latin in CYRILLIC_TO_LATIN.items() if len(latin) == 1}
    doubles = {c: latin for c, latin in CYRILLIC_TO_LATIN.items() if len(latin) > 1}
    expression = "$1"
    for cyrillic, latin in doubles.items():
        for source, target in ((cyrillic, latin), (cyrillic.upper(), latin.capitalize())):
            expression = f"replace({expression}, '{source}', '{target}')"
    sources = "".join(singles) + "".join(c.upper() for c in singles)
    targets = "".join(singles.values()) + "".join(v.upper() for v in singles.values())
    # Most texts hold no Cyrillic at all: they are returned as they are, without the
    # replace() passes (which cost more than the whole search would otherwise).
    every = "".join(CYRILLIC_TO_LATIN) + "".join(CYRILLIC_TO_LATIN).upper()
    return (
        f"SELECT CASE WHEN $1 ~ '[{every}]' "
        f"THEN translate({expression}, '{sources}', '{targets}') ELSE $1 END"
    )

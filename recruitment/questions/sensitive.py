"""Does a question ask for data the privacy notice does not list? (PRIVACY.md P18)

The notice promises that applicants are asked only for the published categories (contact
details, CV and employment history, education and qualifications, what they choose to add)
and never for their date of birth, a photo, their gender or an identity number. A recruiter
writing a question can break that promise without noticing ("Attach a recent photo",
"Datum rođenja", "Ваш ЈМБГ"). `categories_asked` finds such requests in English, Bosnian,
Croatian and Serbian (Latin and Cyrillic), so the editor can say so in plain words.

A warning, not a block: a word list cannot know intent ("Are you able to travel? We do not
need your age"), and blocking would push recruiters to misspell. No database, no side effects.
"""

import re
import unicodedata
from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from recruitment.cvs.transliteration import to_latin

# Each category the notice does not list: its plain name, and patterns over the folded text
# (lower case, Serbian Cyrillic written in Latin, diacritics dropped, "đ" as "dj"). Slavic
# words inflect, so most patterns are stems anchored at a word start only.
_SENSITIVE: dict[str, tuple[Promise, tuple[str, ...]]] = {
    "birth": (
        _("date of birth or age"),
        (
            r"\bdate of birth",
            r"\bbirth ?date",
            r"\bbirthday",
            r"\bborn\b",
            r"\bdob\b",
            r"\bhow old\b",
            r"\bage\b",
            r"\bages\b",
            r"\byears old\b",
            r"\bdatum\w* rodj",
            r"\brodjen",
            r"\bgodiste",
            r"\bstarost",
            r"\bkoliko (imate|ti je|vam je) godina",
            r"\bgodina starosti",
            r"\bdob\b",
        ),
    ),
    "photo": (
        _("a photo"),
        (
            r"\bphoto",
            r"\bpicture",
            r"\bheadshot",
            r"\bselfie",
            r"\bportrait",
            r"\bfotografij",
            r"\bfotk",
            r"\bfoto\b",
            r"\bslik[aeiu]\b",
            r"\bslikom\b",
        ),
    ),
    "gender": (
        _("gender or sex"),
        (
            r"\bgender",
            r"\bsex\b",
            r"\bmale or female\b",
            r"\bpol\b",
            r"\bpola\b",
            r"\bspol",
            r"\bmusk\w* ili zensk",
            r"\brodn\w* identitet",
        ),
    ),
    "nationality": (
        _("nationality, citizenship or ethnic origin"),
        (
            r"\bnationalit",
            r"\bcitizenship",
            r"\bethnic",
            r"\brace\b",
            r"\bracial",
            r"\bnacionalnost",
            r"\bdrzavljanstv",
            r"\bnarodnost",
            r"\betnick",
            r"\betnick\w* porijekl",
            r"\brasa\b",
            r"\brasn",
        ),
    ),
    "health": (
        _("health or disability"),
        (
            r"\bhealth",
            r"\bdisab",
            r"\bmedical",
            r"\billness",
            r"\bpregnan",
            r"\bzdravlj",
            r"\bzdravstven",
            r"\binvalid",
            r"\bbolest",
            r"\bboluj",
            r"\btrudn",
            r"\bhronicn",
            r"\bkronicn",
        ),
    ),
    "national_id": (
        _("a national identity number (such as JMBG), passport or ID card"),
        (
            r"\bjmbg\b",
            r"\bnational id",
            r"\bid number",
            r"\bidentity number",
            r"\bidentity card",
            r"\bpersonal (identification )?number",
            r"\bsocial security",
            r"\bpassport",
            r"\boib\b",
            r"\bmaticn\w* broj",
            r"\blicn\w* kart",
            r"\bosobn\w* iskaznic",
            r"\bpasos",
            r"\bputovnic",
            r"\bbroj licne",
        ),
    ),
    "religion": (
        _("religion or beliefs"),
        (
            r"\breligio",
            r"\bfaith\b",
            r"\bchurch",
            r"\bvjeroispovij",
            r"\bveroispov",
            r"\breligij",
            r"\bvjer[aeiu]\b",
            r"\bver[aeiu]\b",
        ),
    ),
    "family": (
        _("marital status or family"),
        (
            r"\bmarital",
            r"\bmarried",
            r"\bspouse",
            r"\bchildren\b",
            r"\bkids\b",
            r"\bbracn",
            r"\bozenjen",
            r"\budat[ae]?\b",
            r"\bdjec[aeiu]\b",
            r"\bdec[aeiu]\b",
            r"\bdjecu\b",
        ),
    ),
    "politics": (
        _("political opinions or trade-union membership"),
        (
            r"\bpolitical",
            r"\btrade union",
            r"\bunion member",
            r"\bpoliticc?k",
            r"\bpoliticn",
            r"\bsindikat",
            r"\bsindikaln",
            r"\bclan\w* (politick\w* )?stranke",
        ),
    ),
    "sexuality": (
        _("sexual orientation"),
        (r"\bsexual", r"\bseksualn"),
    ),
    "criminal": (
        _("criminal record"),
        (
            r"\bcriminal",
            r"\bconvict",
            r"\bkrivicn",
            r"\bkaznen",
            r"\bosudjivan",
            r"\bnekaznjavan",
        ),
    ),
}

_PATTERNS = {key: re.compile("|".join(patterns)) for key, (_label, patterns) in _SENSITIVE.items()}


def fold(text: str) -> str:
    """`text` lower-cased, Serbian Cyrillic in Latin, "đ" as "dj", diacritics dropped."""
    latin = to_latin(text).lower().replace("đ", "dj")
    decomposed = unicodedata.normalize("NFKD", latin)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def categories_asked(texts: Iterable[str]) -> list[str]:
    """The keys of the unlisted categories that `texts` (a question's label, help text and
    choices) seem to ask for, in a fixed order; empty when none."""
    folded = fold("\n".join(texts))
    return [key for key, pattern in _PATTERNS.items() if pattern.search(folded)]


def category_names(keys: Iterable[str]) -> list[str]:
    """The plain names of `keys`, in the active language."""
    return [str(_SENSITIVE[key][0]) for key in keys]

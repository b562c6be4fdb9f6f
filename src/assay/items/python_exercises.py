"""The shipped Python function tasks (seed 002 §13.5 ``PYTHON_STRING_LENGTH`` and four more).

How test cases are drawn and where they live: :mod:`assay.items.python_tasks`. Each task's
difficulty features are the edge cases its tests exercise; the expected values come from a
specification written apart from the reference solution (``len`` against a counting loop):

=============================================  ====  ============================================
function (operation ``python_<name>``)         base  features and weights
=============================================  ====  ============================================
``count_chars(s: str) -> int``                 0.30  ``spaces`` 0.20, ``unicode`` 0.20,
(seed: basic 0.3, with_spaces 0.5,                   ``empty_edge`` 0.10
unicode 0.7, empty_edge 0.4)
``largest(numbers: list[int]) -> int | None``  0.30  ``all_negative`` 0.15, ``empty_edge`` 0.15,
(``None`` for an empty list)                         ``max_first`` 0.10
``reverse_words(sentence: str) -> str``        0.35  ``extra_spaces`` 0.20, ``punctuation`` 0.10,
(reverse word order, single spaces)                  ``empty_edge`` 0.10
``is_palindrome(text: str) -> bool``           0.35  ``mixed_case`` 0.15, ``punctuation`` 0.20,
(letters and digits only, any case)                  ``empty_edge`` 0.05
``word_counts(text: str) -> dict[str, int]``   0.40  ``mixed_case`` 0.15, ``punctuation`` 0.20,
(lower-cased, punctuation stripped)                  ``empty_edge`` 0.10
=============================================  ====  ============================================

Each feature is a pitfall the basic cases miss: ``max_first`` catches loops that start at
index 1 and compare wrongly, ``all_negative`` a maximum initialised to 0, ``extra_spaces``
``split(" ")``, ``mixed_case`` a missing ``lower()``.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from collections.abc import Callable

from assay.items.generator import register_generator
from assay.items.python_tasks import Feature, PythonFunctionGenerator, PythonTask

__all__ = [
    "COUNT_CHARS",
    "IS_PALINDROME",
    "LARGEST",
    "PUNCTUATION",
    "REVERSE_WORDS",
    "UNICODE_WORDS",
    "WORDS",
    "WORD_COUNTS",
    "CountCharsGenerator",
    "IsPalindromeGenerator",
    "LargestGenerator",
    "ReverseWordsGenerator",
    "WordCountsGenerator",
]

#: Lower-case ASCII words for basic cases (none is a palindrome).
WORDS = (
    "apple", "river", "stone", "cloud", "tiger", "lemon", "piano", "mango", "table", "green",
    "house", "light", "ocean", "pencil", "garden", "window", "rocket", "silver", "basket", "planet",
    "cat", "dog", "sun", "map", "cup", "owl", "fig", "jam", "kite", "moon",
)  # fmt: skip
#: Words with precomposed non-ASCII letters (one code point each, so ``len`` is unambiguous).
UNICODE_WORDS = (
    "café", "naïve", "über", "jalapeño", "façade", "smörgåsbord", "crème", "piñata", "élan",
    "Ålesund", "straße", "señor", "Zürich", "fiancée", "αβγ", "привет", "日本語", "ñandú",
)  # fmt: skip
#: Punctuation the string tasks attach to words (``word_counts`` strips exactly these).
PUNCTUATION = ",.!?;:"


def _words(rng: random.Random, low: int, high: int) -> list[str]:
    return rng.sample(WORDS, rng.randint(low, high))


COUNT_CHARS = PythonTask(
    signature="count_chars(s: str) -> int",
    reference=(
        "def count_chars(s: str) -> int:\n"
        "    count = 0\n"
        "    for _ in s:\n"
        "        count += 1\n"
        "    return count\n"
    ),
    expected=len,
    basic=lambda rng: rng.choice(WORDS),
    features={
        "spaces": Feature(0.20, lambda rng: " ".join(_words(rng, 2, 3)), lambda s: " " in s),
        "unicode": Feature(0.20, lambda rng: rng.choice(UNICODE_WORDS), lambda s: not s.isascii()),
        "empty_edge": Feature(0.10, lambda rng: "", lambda s: s == ""),
    },
)


def _numbers(rng: random.Random, *, negative: bool = False, max_first: bool = False) -> list[int]:
    """3-6 distinct numbers in ±[1, 99]; the largest first, or anywhere else."""
    numbers = [-n if negative else n for n in rng.sample(range(1, 100), rng.randint(3, 6))]
    top = max(numbers)
    numbers.remove(top)
    rng.shuffle(numbers)
    numbers.insert(0 if max_first else rng.randint(1, len(numbers)), top)
    return numbers


LARGEST = PythonTask(
    signature="largest(numbers: list[int]) -> int | None",
    reference=(
        "def largest(numbers: list[int]) -> int | None:\n"
        "    best = None\n"
        "    for n in numbers:\n"
        "        if best is None or n > best:\n"
        "            best = n\n"
        "    return best\n"
    ),
    expected=lambda v: max(v) if v else None,
    basic=_numbers,
    features={
        "all_negative": Feature(
            0.15, lambda rng: _numbers(rng, negative=True), lambda v: bool(v) and max(v) < 0
        ),
        "empty_edge": Feature(0.15, lambda rng: [], lambda v: not v),
        "max_first": Feature(
            0.10, lambda rng: _numbers(rng, max_first=True), lambda v: bool(v) and v[0] == max(v)
        ),
    },
)


def _spaced(rng: random.Random) -> str:
    """Words with a double space inside and spaces at the end (maybe at the start too)."""
    words = _words(rng, 3, 5)
    gaps = [" " * rng.randint(1, 3) for _ in words[1:]]
    gaps[rng.randrange(len(gaps))] = "  "
    inner = "".join(w + g for w, g in zip(words, [*gaps, ""], strict=True))
    return " " * rng.randint(0, 2) + inner + " " * rng.randint(1, 2)


def _sentence(rng: random.Random) -> str:
    """A capitalised sentence with a comma and a final mark: ``"Apple river, cat."``."""
    words = _words(rng, 3, 5)
    words[0] = words[0].capitalize()
    words[-1] += rng.choice(".!?")
    words[rng.randrange(len(words) - 1)] += ","
    return " ".join(words)


def _has_punctuation(text: str) -> bool:
    return any(c in PUNCTUATION for c in text)


REVERSE_WORDS = PythonTask(
    signature="reverse_words(sentence: str) -> str",
    reference=(
        "def reverse_words(sentence: str) -> str:\n"
        "    words = []\n"
        "    current = ''\n"
        "    for ch in sentence + ' ':\n"
        "        if ch.isspace():\n"
        "            if current:\n"
        "                words.insert(0, current)\n"
        "            current = ''\n"
        "        else:\n"
        "            current += ch\n"
        "    return ' '.join(words)\n"
    ),
    expected=lambda s: " ".join(reversed(s.split())),
    basic=lambda rng: " ".join(_words(rng, 3, 5)),
    features={
        "extra_spaces": Feature(
            0.20, _spaced, lambda s: bool(s.strip()) and s != " ".join(s.split())
        ),
        "punctuation": Feature(0.10, _sentence, _has_punctuation),
        "empty_edge": Feature(0.10, lambda rng: "", lambda s: not s.strip()),
    },
    base=0.35,
)


def _palindrome(rng: random.Random) -> str:
    """Lower-case letters reading the same both ways, 4-9 of them."""
    half = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(2, 4)))
    return half + rng.choice(["", rng.choice(string.ascii_lowercase)]) + half[::-1]


def _mixed_case(rng: random.Random) -> str:
    """A palindrome with some letters upper-cased, the first upper and the last lower."""
    chars = [c.upper() if rng.random() < 0.5 else c for c in _palindrome(rng)]
    chars[0], chars[-1] = chars[0].upper(), chars[-1].lower()
    return "".join(chars)


def _punctuated(rng: random.Random) -> str:
    """A palindrome cut in three by a space and a comma, with a final mark."""
    text = _palindrome(rng)
    i, j = sorted(rng.sample(range(1, len(text)), 2))
    return f"{text[:i]} {text[i:j]}, {text[j:]}{rng.choice('.!?')}"


def _is_palindrome(text: str) -> bool:
    cleaned = "".join(c.lower() for c in text if c.isalnum())
    return cleaned == cleaned[::-1]


IS_PALINDROME = PythonTask(
    signature="is_palindrome(text: str) -> bool",
    reference=(
        "def is_palindrome(text: str) -> bool:\n"
        "    chars = [c.lower() for c in text if c.isalnum()]\n"
        "    i, j = 0, len(chars) - 1\n"
        "    while i < j:\n"
        "        if chars[i] != chars[j]:\n"
        "            return False\n"
        "        i, j = i + 1, j - 1\n"
        "    return True\n"
    ),
    expected=_is_palindrome,
    basic=lambda rng: _palindrome(rng) if rng.random() < 0.5 else rng.choice(WORDS),
    features={
        "mixed_case": Feature(
            0.15, _mixed_case, lambda s: any(c.isupper() for c in s) and any(c.islower() for c in s)
        ),
        "punctuation": Feature(0.20, _punctuated, lambda s: any(not c.isalnum() for c in s)),
        "empty_edge": Feature(0.05, lambda rng: "", lambda s: s == ""),
    },
    base=0.35,
)


def _text(rng: random.Random, change: Callable[[str, int], str] = lambda w, i: w) -> str:
    """5-8 words from a vocabulary of 2-4, one repeated at least, each passed through
    ``change(word, position)``."""
    vocabulary = _words(rng, 2, 4)
    words = [rng.choice(vocabulary) for _ in range(rng.randint(4, 7))]
    words.append(words[0])
    rng.shuffle(words)
    return " ".join(change(w, i) for i, w in enumerate(words))


def _word_counts(text: str) -> dict[str, int]:
    words = (w.strip(PUNCTUATION).lower() for w in text.split())
    return dict(Counter(w for w in words if w))


WORD_COUNTS = PythonTask(
    signature="word_counts(text: str) -> dict[str, int]",
    reference=(
        "def word_counts(text: str) -> dict[str, int]:\n"
        "    counts = {}\n"
        "    for raw in text.split():\n"
        "        word = raw.strip(',.!?;:').lower()\n"
        "        if word:\n"
        "            counts[word] = counts.get(word, 0) + 1\n"
        "    return counts\n"
    ),
    expected=_word_counts,
    basic=_text,
    features={
        "mixed_case": Feature(
            0.15,
            lambda rng: _text(rng, lambda w, i: w.capitalize() if i % 2 == 0 else w),
            lambda s: any(c.isupper() for c in s),
        ),
        "punctuation": Feature(
            0.20,
            lambda rng: _text(rng, lambda w, i: w + rng.choice(PUNCTUATION) if i % 2 else w),
            _has_punctuation,
        ),
        "empty_edge": Feature(0.10, lambda rng: "", lambda s: s == ""),
    },
    base=0.40,
)


class CountCharsGenerator(PythonFunctionGenerator):
    """:data:`COUNT_CHARS` (seed 002 §13.5 ``PYTHON_STRING_LENGTH``)."""

    task = COUNT_CHARS


class LargestGenerator(PythonFunctionGenerator):
    """:data:`LARGEST`."""

    task = LARGEST


class ReverseWordsGenerator(PythonFunctionGenerator):
    """:data:`REVERSE_WORDS`."""

    task = REVERSE_WORDS


class IsPalindromeGenerator(PythonFunctionGenerator):
    """:data:`IS_PALINDROME`."""

    task = IS_PALINDROME


class WordCountsGenerator(PythonFunctionGenerator):
    """:data:`WORD_COUNTS`."""

    task = WORD_COUNTS


for _generator in (
    CountCharsGenerator(),
    LargestGenerator(),
    ReverseWordsGenerator(),
    IsPalindromeGenerator(),
    WordCountsGenerator(),
):
    register_generator(_generator, replace=True)

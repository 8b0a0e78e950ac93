"""Language identification: English is never refused on thin evidence, other languages are
told apart, the cost is bounded, and nothing is downloaded."""
from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from sayso import language

FOLDER = Path(__file__).resolve().parent / "data" / "multilingual"

SHORT_ENGLISH = [
    "",
    "Trump",
    "Ich",  # a German pronoun alone is too little to refuse a text
    "The mayor said the bridge would close.",
    "Stealth Over Health: Hillary Clinton Was Headed to ER But Diverted to Avoid Bad Optics",
    "Refoulement Violates International Law",
    "Phyllis Schlafly, conservative bane of feminists, dies at 92; Obituary",
    "2019 | 14.2 | 15.8 | 17.1\n2020 | 12.9 | 13.3 | 16.0\n2021 | 15.5 | 18.2 | 19.4\n" * 20,
    "def f(x):\n    return x + 1\n\nfor i in range(10):\n    print(f(i))\n",
    "https://example.org/2024/05/16/news?id=123&ref=home#top",
]


@pytest.mark.parametrize("text", SHORT_ENGLISH)
def test_short_or_odd_texts_stay_english(text):
    assert language.detect(text) == "en"


@pytest.mark.parametrize("text, code", [
    ("Der Bürgermeister sagte am Dienstag, die alte Brücke werde im Winter geschlossen.", "de"),
    ("Le maire a déclaré mardi que le vieux pont serait fermé pendant tout l'hiver.", "fr"),
    ("Мэр заявил во вторник, что старый мост закроют на всю зиму.", "ru"),
    ("El alcalde dijo el martes que el viejo puente se cerraría durante todo el invierno.", "es"),
])
def test_one_foreign_sentence_is_told(text, code):
    assert language.detect(text) == code


@pytest.mark.parametrize("name, code", [
    ("de_hafen.txt", "de"), ("fr_marche.txt", "fr"), ("ru_most.txt", "ru"), ("en_ferry.txt", "en"),
])
def test_the_multilingual_pages(name, code):
    assert language.detect((FOLDER / name).read_text(encoding="utf-8")) == code


def test_verdicts_are_iso_639_1():
    labels = language._identifier().nb_classes
    assert labels and all(len(code) == 2 for code in labels)
    assert "zxx" not in labels and "en" in labels


def test_the_sample_is_bounded_and_spread():
    english = (FOLDER / "en_ferry.txt").read_text(encoding="utf-8")
    german = (FOLDER / "de_hafen.txt").read_text(encoding="utf-8")
    big = german[:400] + english * 2000 + german[-400:]  # ~2 MB, German quoted at both ends
    piece = language.sample(big)
    assert len(piece) <= language.SAMPLE_CHARS + language.WINDOWS
    assert piece.startswith(german[:100]) and piece.endswith(german[-100:])
    assert language.detect(big) == "en"  # most of the sample is English
    assert language.detect(german * 2000) == "de"
    t0 = time.perf_counter()
    for _ in range(10):
        language.detect(big)
    assert (time.perf_counter() - t0) / 10 < 0.5


def test_only_english_is_read():
    assert language.is_read("en") and not language.is_read("de")
    assert language.skip_reason("de") == "not English (de): sayso reads English only"


def test_the_model_ships_in_the_package_and_needs_no_network(monkeypatch):
    import py3langid.langid as langid

    assert (langid.MODEL_DIR / langid.MODEL_FILE).is_file()

    def no_network(*args, **kwargs):
        raise OSError("network is cut in this test")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    language._identifier.cache_clear()
    try:
        assert language.detect((FOLDER / "fr_marche.txt").read_text(encoding="utf-8")) == "fr"
    finally:
        language._identifier.cache_clear()

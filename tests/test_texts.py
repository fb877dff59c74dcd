"""Free-text safety: visible characters, refused control characters, export stripping."""

from asn_dash import texts


def test_zero_width_and_nul_characters_are_not_visible():
    assert texts.visible_length("\u200b" * 12) == 0
    assert texts.visible_length("\x00" * 12) == 0
    assert texts.visible_length("  Bra  \n") == 3
    assert texts.visible_length("e\u0301") == 1  # e + combining acute is one letter
    assert texts.visible_length("\u3164" * 11) == 0  # Hangul filler looks like nothing


def test_control_characters_except_line_breaks_and_tabs_are_refused():
    assert texts.control_characters("rad 1\nrad 2\r\n\tindrag") == []
    assert texts.control_characters("a\x0bb\x1bc\x07d\x1b") == ["U+000B", "U+001B", "U+0007"]
    assert texts.control_characters("a\u200bb\u202ec") == ["U+200B", "U+202E"]


def test_refusal_names_the_field_and_the_reason():
    assert texts.refusal("Utfallet ligger över målet", "Motiveringen", 10) is None
    assert "styrtecken" in texts.refusal("Bra utfall\x1b[31m i år", "Motiveringen", 10)
    assert "styrtecken" in texts.refusal("\u200b" * 12, "Motiveringen", 10)
    assert texts.refusal("\u3164" * 12 + "ok", "Motiveringen", 10) == "Motiveringen måste vara minst 10 synliga tecken."
    assert texts.refusal("   ", "Kommentaren") == "Kommentaren saknas."


def test_export_text_keeps_line_breaks_and_drops_controls():
    assert texts.for_export("Rad\x0b ett\x1b\x07\nRad två\t.") == "Rad ett\nRad två\t."
    assert texts.for_export("Tyresö 5,69 %") == "Tyresö 5,69 %"

import pytest

from core import forms
from core.errors import ValidationFailed


def test_text_trims_and_keeps_chinese():
    assert forms.text("  秦都区  ", max_length=10) == "秦都区"


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("a\x00b", "Contains characters that cannot be used."),
        ("a\x07b", "Contains characters that cannot be used."),
        ("two\nlines", "Must be on one line."),
        ("x" * 11, "At most %(max)d characters (you typed %(count)d)."),
    ],
)
def test_text_rejects(value, msgid):
    with pytest.raises(forms.FieldError) as raised:
        forms.text(value, max_length=10)
    assert raised.value.message.msgid == msgid


def test_text_optional_and_multiline():
    assert forms.text("", max_length=5, required=False) == ""
    assert forms.text("a\nb", max_length=5, multiline=True) == "a\nb"


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("６１０４０２", "Use half-width digits (0-9), not full-width ones."),
        ("61040", "Must be exactly %(length)d digits."),
        ("6104021", "Must be exactly %(length)d digits."),
        ("61o402", "Must be exactly %(length)d digits."),
    ],
)
def test_digits_rejects(value, msgid):
    with pytest.raises(forms.FieldError) as raised:
        forms.digits(value, length=6)
    assert raised.value.message.msgid == msgid


@pytest.mark.parametrize(
    ("value", "expected"),
    [("13800138000", "13800138000"), ("+86 138-0013-8000", "13800138000"), ("0086 13800138000", "13800138000"),
     ("１３８００１３８０００", "13800138000"), ("＋８６ １３８ ００１３ ８０００", "13800138000")],
)
def test_phone_normalises(value, expected):
    assert forms.phone(value) == expected


@pytest.mark.parametrize("value", ["12345", "23800138000", "138001380001", "+1 13800138000", "１３８ABC"])
def test_phone_rejects(value):
    with pytest.raises(forms.FieldError):
        forms.phone(value)


def test_email():
    assert forms.email("Wang.Fang@Example.COM") == "wang.fang@example.com"
    with pytest.raises(forms.FieldError):
        forms.email("not-an-email")


def test_form_collects_every_error_and_keeps_the_good_values():
    form = forms.Form({"name": "秦都区", "code": "abc"})
    form.field("name", forms.text, max_length=10)
    form.field("code", forms.digits, length=6)
    form.field("missing", forms.text, max_length=10)
    assert form.cleaned == {"name": "秦都区"}
    assert set(form.errors) == {"code", "missing"}
    with pytest.raises(ValidationFailed) as raised:
        form.raise_if_invalid()
    assert set(raised.value.errors) == {"code", "missing"}

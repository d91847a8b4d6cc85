"""Uploads are judged by their bytes: each accepted type is recognised, anything else is
refused with a message a person can act on, in their language; bytes that contradict the type
an upload was sent as are refused too."""

import pytest

from core import i18n
from core.errors import ValidationFailed
from core.storage.sniff import DOCUMENTS, IMAGES, check_declared, check_upload, contradicts, sniff

SAMPLES = {
    "image/png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20,
    "image/gif": b"GIF89a\x01\x00\x01\x00" + b"\x00" * 20,
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20,
    "application/pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 20,
}
GIF87 = b"GIF87a" + b"\x00" * 20
# A Windows program: "MZ", then the DOS stub.
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"This program cannot be run in DOS mode."
ANYTHING = IMAGES | DOCUMENTS
MB = 1024 * 1024


def _message(error: ValidationFailed, language: str, field: str = "file") -> str:
    return i18n.translate(error.errors[field], language)


@pytest.mark.parametrize(("kind", "data"), [*SAMPLES.items(), ("image/gif", GIF87)])
def test_each_type_is_recognised_by_its_bytes(kind, data):
    assert sniff(data) == kind
    assert check_upload(data, "whatever.bin", allowed=ANYTHING, max_bytes=MB) == kind


@pytest.mark.parametrize("data", [b"", b"\x89PN", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"RIFF", EXECUTABLE,
                                  b"PK\x03\x04", b"<html>", b" %PDF-1.7", b"\x7fELF\x02\x01"])
def test_other_bytes_are_not_recognised(data):
    assert sniff(data) is None


def test_a_program_named_report_pdf_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        check_upload(EXECUTABLE, "report.pdf", allowed={"application/pdf"}, max_bytes=10 * MB)
    assert _message(refused.value, "en") == "“report.pdf” is not a file of an accepted type (PDF)."


def test_a_type_not_allowed_is_refused_naming_those_that_are():
    with pytest.raises(ValidationFailed) as refused:
        check_upload(SAMPLES["application/pdf"], "photo.jpg", allowed=set(IMAGES), max_bytes=MB)
    assert _message(refused.value, "en") == "“photo.jpg” is not a file of an accepted type (JPEG / PNG / GIF / WebP)."


def test_the_bytes_decide_not_the_name():
    assert check_upload(SAMPLES["image/png"], "scan.pdf", allowed=ANYTHING, max_bytes=MB) == "image/png"


def test_a_file_over_the_limit_is_refused_saying_the_limit_in_mb():
    data = SAMPLES["application/pdf"] + b"\x00" * (10 * MB)
    with pytest.raises(ValidationFailed) as refused:
        check_upload(data, "年报.pdf", allowed=DOCUMENTS, max_bytes=10 * MB)
    assert _message(refused.value, "en") == "“年报.pdf” is larger than 10 MB."
    with pytest.raises(ValidationFailed) as refused:
        check_upload(SAMPLES["image/png"] * 30_000, "a.png", allowed=IMAGES, max_bytes=MB // 2)
    assert _message(refused.value, "en") == "“a.png” is larger than 0.5 MB."
    exactly = SAMPLES["application/pdf"].ljust(MB, b"\x00")
    assert check_upload(exactly, "a.pdf", allowed=DOCUMENTS, max_bytes=MB) == "application/pdf"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        check_upload(b"", "空.pdf", allowed=DOCUMENTS, max_bytes=MB, field="attachment")
    assert _message(refused.value, "en", "attachment") == "“空.pdf” is empty."


def test_the_messages_are_translated_in_zh_hans():
    cases = [
        (EXECUTABLE, "report.pdf", "“report.pdf”不是可接受的文件类型（可上传 PDF）。"),
        (SAMPLES["application/pdf"] * 100_000, "report.pdf", "“report.pdf”超过了 1 MB 的上限。"),
        (b"", "report.pdf", "“report.pdf”是空文件。"),
    ]
    for data, name, expected in cases:
        with pytest.raises(ValidationFailed) as refused:
            check_upload(data, name, allowed=DOCUMENTS, max_bytes=MB)
        assert _message(refused.value, "zh-Hans") == expected
        token = i18n.set_language("zh-Hans")
        try:
            assert str(refused.value.errors["file"]) == expected
        finally:
            i18n.reset_language(token)


def test_a_name_with_a_path_is_shown_by_its_last_part():
    with pytest.raises(ValidationFailed) as refused:
        check_upload(b"", "C:\\Users\\王芳\\Desktop\\" + "很长的名字" * 20 + ".pdf", allowed=DOCUMENTS, max_bytes=MB)
    shown = refused.value.errors["file"].params["filename"]
    assert "\\" not in shown and shown.startswith("很长的名字") and len(shown) == 60


def test_only_recognised_types_can_be_allowed():
    for allowed in (set(), {"text/plain"}, {"application/pdf", "application/x-msdownload"}):
        with pytest.raises(ValueError):
            check_upload(SAMPLES["application/pdf"], "a.pdf", allowed=allowed, max_bytes=MB)


@pytest.mark.parametrize(("declared", "kind", "contradiction"), [
    ("application/pdf", "image/jpeg", True),     # a picture sent as a document
    ("image/jpeg", "application/pdf", True),     # a document sent as a picture
    ("text/html", "image/png", True),            # a picture sent as a web page
    ("image/png; charset=binary", "image/jpeg", False),  # a picture named as another picture
    ("IMAGE/JPG", "image/jpeg", False),
    ("application/octet-stream", "application/pdf", False),  # the browser did not know
    ("", "image/png", False),
    ("application/pdf", "application/pdf", False),
    ("text/csv", None, False),                   # bytes of no known type: the type is not judged here
])
def test_what_contradicts_the_declared_type(declared, kind, contradiction):
    assert contradicts(declared, kind) is contradiction


def test_bytes_that_contradict_the_declared_type_are_refused_naming_both():
    with pytest.raises(ValidationFailed) as refused:
        check_upload(SAMPLES["image/jpeg"], "合同.pdf", allowed=ANYTHING, max_bytes=MB, field="attachments",
                     declared="application/pdf")
    assert _message(refused.value, "en", "attachments") == "“合同.pdf” is sent as application/pdf but is a JPEG file."
    assert _message(refused.value, "zh-Hans", "attachments") == "“合同.pdf”以 application/pdf 发送，但实际是 JPEG 文件。"
    with pytest.raises(ValidationFailed):
        check_declared("photo.jpg", "image/jpeg", SAMPLES["application/pdf"], field="photos")
    check_declared("photo.png", "image/png", SAMPLES["image/jpeg"], field="photos")  # taken

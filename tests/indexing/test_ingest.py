"""Every supported format becomes the documents a user expects, and every bad
file is refused with a message that names the file and what to do."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from indexing import ingest
from indexing.documents import Document
from indexing.errors import UnsupportedFileError
from indexing.ingest import Columns, column_choices, read_path, read_upload, safe_name, table_columns


def refusal(name: str, data: bytes, columns: Columns | None = None) -> str:
    with pytest.raises(UnsupportedFileError) as caught:
        read_upload(name, data, columns)
    return str(caught.value)


# ---- formats ---------------------------------------------------------------

def test_plain_text_is_one_document_titled_by_the_file_name() -> None:
    [doc] = read_upload("river_walk.txt", b"\n  The heron waited on the bank.\r\nIt caught a fish.  \n")
    assert doc == Document(title="river_walk", text="The heron waited on the bank.\nIt caught a fish.",
                           source="river_walk.txt")


def test_markdown_takes_its_title_from_the_heading_and_keeps_link_words_only() -> None:
    data = (b"# Spring Sowing\n\nSow [early peas](https://example.org/peas) now.\n"
            b"![a tray of seedlings](tray.png)\nWater them daily.\n")
    [doc] = read_upload("notes.md", data)
    assert doc.title == "Spring Sowing"
    assert "Sow early peas now." in doc.text
    assert "example.org" not in doc.text and "tray" not in doc.text and "seedlings" not in doc.text


def test_text_in_utf8_with_bom_and_utf16_is_decoded() -> None:
    [bom] = read_upload("a.txt", "\ufeffCafé on the river bank".encode("utf-8"))
    [wide] = read_upload("b.txt", "Café on the river bank".encode("utf-16"))
    assert bom.text == wide.text == "Café on the river bank"


def test_csv_columns_are_guessed_from_common_names() -> None:
    data = b"Headline,Body,stars\nRiverside cafe,Coffee above the river bank.,5\n,Cold showers.,2\n"
    docs = read_upload("reviews.csv", data)
    assert [(d.title, d.text, d.source) for d in docs] == [
        ("Riverside cafe", "Coffee above the river bank.", "reviews.csv"),
        ("reviews #2", "Cold showers.", "reviews.csv"),  # no title: numbered
    ]


def test_csv_with_chosen_columns_and_quoted_commas_and_line_breaks() -> None:
    data = b'id,name,description\n1,"Loans, explained","A loan has interest,\nand repayments."\n'
    [doc] = read_upload("faq.csv", data, Columns(text="description", title="name"))
    assert doc.title == "Loans, explained"
    assert doc.text == "A loan has interest,\nand repayments."


def test_tsv_uses_tabs() -> None:
    [doc] = read_upload("notes.tsv", b"title\ttext\nBass\tThe bass player tuned down.\n")
    assert (doc.title, doc.text) == ("Bass", "The bass player tuned down.")


def test_table_rows_without_text_are_dropped() -> None:
    docs = read_upload("t.csv", b"title,text\nEmpty,\nFull,Some words here.\n")
    assert [d.title for d in docs] == ["Full"]


def test_jsonl_guesses_keys_and_ignores_non_string_values() -> None:
    lines = [{"headline": "Rates held", "content": "The central bank held rates.", "year": 2024},
             {"headline": "Bridge approved", "content": "A footbridge will cross the river."}]
    data = "\n".join(json.dumps(r) for r in lines).encode() + b"\n\n"
    docs = read_upload("news.jsonl", data)
    assert [(d.title, d.text) for d in docs] == [("Rates held", "The central bank held rates."),
                                                 ("Bridge approved", "A footbridge will cross the river.")]


def test_jsonl_with_a_chosen_key() -> None:
    data = b'{"summary": "Short.", "full": "The long text of the story."}\n'
    [doc] = read_upload("s.jsonl", data, Columns(text="full"))
    assert (doc.title, doc.text) == ("s #1", "The long text of the story.")


def test_table_columns_lists_what_the_user_can_choose() -> None:
    assert table_columns("x.csv", b"id,name,description\n1,a,b\n") == ["id", "name", "description"]
    assert table_columns("x.tsv", b"a\tb\n") == ["a", "b"]
    assert table_columns("x.jsonl", b'\n{"text": "t", "n": 3, "title": "x"}\n') == ["text", "title"]


def test_pdf_text_layer_is_read_page_by_page(make_pdf) -> None:
    data = make_pdf(["The river rose after the storm.\nBoats were tied to the bank.", "Page two (the end)."],
                    title="Flood Report")
    [doc] = read_upload("report.pdf", data)
    assert doc.title == "Flood Report"
    assert doc.source == "report.pdf"
    assert doc.text == "The river rose after the storm.\nBoats were tied to the bank.\n\nPage two (the end)."


def test_pdf_without_metadata_title_is_titled_by_the_file_name(make_pdf) -> None:
    [doc] = read_upload("minutes.pdf", make_pdf(["Council minutes."]))
    assert doc.title == "minutes"


def test_the_test_corpus_reads_cleanly(corpus_documents: list[Document]) -> None:
    by_source = Counter(Path(d.source).suffix for d in corpus_documents)
    assert by_source == {".txt": 24, ".md": 1, ".jsonl": 4, ".csv": 4}
    titles = {d.title for d in corpus_documents}
    assert {"Spring in the Garden", "A cosy riverside cafe", "Central bank holds interest rates steady"} <= titles


# ---- bad input -------------------------------------------------------------

def test_pdf_without_text_layer_asks_for_ocr(make_pdf) -> None:
    message = refusal("scan.pdf", make_pdf([None, None]))
    assert message.startswith("scan.pdf:") and "no text layer" in message and "OCR" in message


def test_broken_pdf_is_refused_not_crashed() -> None:
    message = refusal("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    assert message.startswith("broken.pdf: not a readable PDF")


@pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
def test_empty_file(data: bytes) -> None:
    assert refusal("empty.txt", data) == "empty.txt: the file is empty."


def test_binary_file_named_txt() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10"
    assert refusal("photo.txt", png) == "photo.txt: this looks like a binary file, not text."


def test_non_utf8_text_names_the_byte_and_the_fix() -> None:
    message = refusal("menu.txt", "Café crème".encode("cp1252"))
    assert message == ("menu.txt: not valid UTF-8 text (byte 0xe9 at position 3); "
                       "save it as UTF-8 and retry.")


def test_csv_missing_the_chosen_column_names_the_columns() -> None:
    message = refusal("faq.csv", b"id,name,description\n1,a,b\n", Columns(text="body"))
    assert message == "faq.csv: no text column 'body'; the columns are id, name, description."


def test_csv_with_no_guessable_text_column_asks_to_choose() -> None:
    message = refusal("faq.csv", b"id,question,answer\n1,a,b\n")
    assert message == "faq.csv: choose the text column; the columns are id, question, answer."


def test_csv_missing_the_chosen_title_column() -> None:
    message = refusal("faq.csv", b"text\nhello\n", Columns(title="heading"))
    assert "no title column 'heading'" in message and "the columns are text" in message


@pytest.mark.parametrize("line, problem", [("{not json", "line 2 is not valid JSON"),
                                           ("[1, 2]", "line 2 is not a JSON object")])
def test_bad_jsonl_line_is_named(line: str, problem: str) -> None:
    message = refusal("n.jsonl", b'{"text": "fine"}\n' + line.encode() + b"\n")
    assert message.startswith(f"n.jsonl: {problem}")


def test_file_with_only_a_header_has_no_text() -> None:
    assert refusal("t.csv", b"title,text\n") == "t.csv: no text found in the file."


def test_file_over_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 3 * 2**20)
    message = refusal("big.txt", b"word " * (4 * 2**20 // 5 + 1))
    assert message == "big.txt: 4.0 MB is over the 3 MB limit per file."


def test_file_over_the_size_limit_on_disk_is_not_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 2**20)
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (2 * 2**20))
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a file over the limit"))
    [error] = list(read_path(big))
    assert str(error) == "big.txt: 2.0 MB is over the 1 MB limit per file."


@pytest.mark.parametrize("name", ["report.docx", "archive.tar.gz", "README", "photo.PNG"])
def test_unsupported_file_type_lists_the_supported_ones(name: str) -> None:
    message = refusal(name, b"some text")
    assert message.startswith(f"{name}: unsupported file type")
    assert ".txt, .md, .markdown, .csv, .tsv, .jsonl, .pdf" in message


def test_suffixes_are_matched_case_insensitively() -> None:
    [doc] = read_upload("NOTES.TXT", b"Loud notes.")
    assert doc.title == "NOTES"


# ---- names -------------------------------------------------------------------

@pytest.mark.parametrize("name, safe", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("/abs/path/notes.md", "notes.md"),
    ("C:\\Users\\ana\\Desktop\\loans.csv", "loans.csv"),
    ("bad\x00na\nme.txt", "badname.txt"),
    ("  spaced.txt ", "spaced.txt"),
])
def test_file_names_lose_their_path_parts(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_stored_source_has_no_path_parts() -> None:
    [doc] = read_upload("../../etc/passwd.txt", b"root:x:0:0")
    assert (doc.source, doc.title) == ("passwd.txt", "passwd")


@pytest.mark.parametrize("name", ["", "..", "../", "/", " \x01 "])
def test_unusable_file_names_are_refused(name: str) -> None:
    with pytest.raises(UnsupportedFileError, match="is not a usable file name"):
        safe_name(name)


# ---- folders -----------------------------------------------------------------

def test_a_folder_yields_each_bad_file_in_place_and_goes_on(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a_good.txt").write_text("The bank approved the loan.")
    (tmp_path / "b_empty.txt").write_bytes(b"")
    (tmp_path / "sub" / "c_latin1.md").write_bytes("Crème brûlée".encode("latin-1"))
    (tmp_path / "sub" / "d_good.jsonl").write_text('{"text": "Cranes migrate north."}\n')
    (tmp_path / "e_image.png").write_bytes(b"\x89PNG\x00")  # not a supported type: skipped silently
    found = list(read_path(tmp_path))
    assert [d.source if isinstance(d, Document) else type(d).__name__ for d in found] == [
        "a_good.txt", "UnsupportedFileError", "UnsupportedFileError", "d_good.jsonl",
    ]
    assert str(found[1]) == "b_empty.txt: the file is empty."
    assert str(found[2]).startswith("c_latin1.md: not valid UTF-8 text")


def test_a_single_unsupported_file_given_by_path_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK")
    [error] = list(read_path(path))
    assert str(error).startswith("notes.docx: unsupported file type .docx")


def test_a_missing_path_is_reported(tmp_path: Path) -> None:
    [error] = list(read_path(tmp_path / "nowhere"))
    assert isinstance(error, UnsupportedFileError)
    assert str(error).endswith("nowhere: no such file or folder.")


def test_the_text_column_is_guessed_by_name_else_by_the_longest_values() -> None:
    assert column_choices("x.csv", b"id,Title,Body\n1,A,b\n") == (["id", "Title", "Body"],
                                                                     Columns(text="Body", title="Title"))
    recipes = b"id,dish,steps,minutes\n1,Pancakes,Whisk flour eggs and milk; fry thin cakes.,20\n2,Soup,Boil.,30\n"
    assert column_choices("recipes.csv", recipes)[1] == Columns(text="steps", title=None)
    assert column_choices("x.tsv", b"code\tnote\nA1\tA long note about rivers\n")[1] == Columns(text="note")
    assert column_choices("x.jsonl", b'{"id": "1", "summary": "A long summary of the text"}\n')[1] == \
        Columns(text="summary")

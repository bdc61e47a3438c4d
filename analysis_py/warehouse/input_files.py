"""The input folder's CSV files as a hospital exports them: each file's dialect (encoding,
separator) detected before dbt runs, and handed to dbt, which reads every file with that
explicit dialect (macros/input_files.sql). docs/input-format.md describes the format.

Encoding, per file: UTF-8 (a BOM is allowed) when the whole file decodes as UTF-8. Else, when
the file holds at least one valid multi-byte UTF-8 sequence, it is UTF-8 with some bad bytes:
the lines holding them are malformed rows (data_issues `malformed_row`). Else, when every byte
above 127 is, in Windows-1252, a letter or common punctuation (é, €, ’, «, °...), it is
Windows-1252 (which includes Latin-1's letters): dbt reads a UTF-8 copy in a work folder, line
for line. Else it is UTF-8 with bad bytes. A UTF-8 file with a BOM is read from a copy
without it (Spark would read the BOM into the first column's name); that is not said. Line ends LF or CRLF (DuckDB reads both). The
separator is the one of `,` `;` tab found most often outside quotes in the header line; in a
`;`- or tab-separated file a decimal comma is allowed in the columns marked `decimal`.
"""
from __future__ import annotations

import codecs
import csv
import json
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from analysis_py.errors import UserError
from analysis_py.project import PROJECT_DIR

SOURCE_FILES = ("models/staging/_input_sources.yml", "models/staging/_sdtm_import.yml")
ENVIRONMENT_VARIABLE = "LESIONWISE_INPUT_FILES"  # read by macro input_file
FORMAT_DOC = "docs/input-format.md"
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {";": "';'-separated", "\t": "tab-separated"}
BOM = codecs.BOM_UTF8
CHUNK_BYTES = 16 * 1024 * 1024
LOOK_AHEAD_BYTES = 64 * 1024  # read after the header until a line that is not blank
# a valid UTF-8 sequence of 2 to 4 bytes
MULTIBYTE_UTF8 = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
# Windows-1252 characters above 127 that are not letters but common in text exports
COMMON_PUNCTUATION = frozenset("€‚„…†‡‰‹›‘’“”•–—™ ¡¢£¤¥¦§¨©«¬®¯°±²³´µ¶·¸¹º»¼½¾¿×÷")


@dataclass(frozen=True)
class InputFile:
    """How dbt reads one input file: `path` is the file itself, or its UTF-8 copy."""

    table: str
    path: Path
    encoding: str
    delimiter: str
    columns: list[str]

    def note(self) -> str | None:
        """The console line for a file that is not plain UTF-8 and comma-separated."""
        said = ([f"read as {self.encoding}"] if self.encoding == "Windows-1252" else []) + (
            [DELIMITER_NAMES[self.delimiter] + " (decimal commas read as points)"]
            if self.delimiter in DELIMITER_NAMES else [])
        return f"{self.table}.csv: {', '.join(said)}" if said else None

    def for_dbt(self) -> dict:
        return {"path": str(self.path), "delimiter": self.delimiter,
                "decimal_comma": self.delimiter != ",", "columns": self.columns}


@dataclass(frozen=True)
class PreparedInput:
    """The files dbt reads, the environment that tells it so, and the console notes."""

    files: list[InputFile]

    @property
    def environment(self) -> dict[str, str]:
        return {ENVIRONMENT_VARIABLE: json.dumps({f.table: f.for_dbt() for f in self.files})}

    @property
    def notes(self) -> list[str]:
        return [note for note in (f.note() for f in self.files) if note]


@contextmanager
def prepared_input(input_dir: Path) -> Iterator[PreparedInput]:
    """Each input file of `input_dir` with its dialect; Windows-1252 files are copied as UTF-8
    into a work folder that lives as long as the context. Raises UserError for a path that is
    not a regular file and for a required file without rows."""
    with tempfile.TemporaryDirectory(prefix="lesionwise-input-") as work:
        files = []
        for table, required in input_tables():
            found = input_file(input_dir / f"{table}.csv", table, required, Path(work))
            if found is not None:
                files.append(found)
        yield PreparedInput(files)


def input_tables() -> list[tuple[str, bool]]:
    """(table, required) of every file of the `input` source, from its YAML declarations."""
    tables = []
    for name in SOURCE_FILES:
        for source in yaml.safe_load((PROJECT_DIR / name).read_text())["sources"]:
            tables += [(t["name"], bool(t.get("meta", {}).get("required"))) for t in source["tables"]]
    return tables


def check_regular_file(path: Path) -> None:
    """A pipe, device, socket or folder where a file is expected would hang or confuse the
    build: one line says so instead. Raises FileNotFoundError when nothing is there."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise UserError(f"{path} is not a regular file (a pipe, device, socket or folder): the input "
                        f"folder must hold plain CSV files ({FORMAT_DOC})")


def input_file(path: Path, table: str, required: bool, work_dir: Path) -> InputFile | None:
    """The dialect of one file; None when it is absent (dbt says so if it is required) or
    has no rows and is optional."""
    try:
        check_regular_file(path)
    except FileNotFoundError:
        return None
    header, has_rows = first_line(path)
    if not has_rows:
        if required:
            raise UserError(f"{path} has no rows{' (not even a header)' if header is None else ''}: "
                            f"{table}.csv is required and needs a header and one row per "
                            f"{table[:-1]} ({FORMAT_DOC})")
        return None
    encoding = file_encoding(path)
    text = header.decode("cp1252" if encoding == "Windows-1252" else "utf-8", errors="replace")
    delimiter = header_delimiter(text.lstrip("\ufeff"))
    if encoding == "Windows-1252":
        path = transcoded(path, work_dir / f"{table}.csv")
    elif header.startswith(BOM):
        encoding, path = "UTF-8 with BOM", without_bom(path, work_dir / f"{table}.csv")
    return InputFile(table, path, encoding, delimiter, header_columns(text.lstrip("\ufeff"), delimiter))


def first_line(path: Path) -> tuple[bytes | None, bool]:
    """The header line (None for an empty file) and whether a non-blank line follows it."""
    with path.open("rb") as f:
        header = f.readline()
        if not header.strip():
            return None, False
        while chunk := f.read(LOOK_AHEAD_BYTES):
            if chunk.strip():
                return header, True
    return header, False


def file_encoding(path: Path) -> str:
    """UTF-8 or Windows-1252, by the heuristic of the module's docstring."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK_BYTES):
                if not chunk.isascii() or decoder.getstate()[0]:  # ASCII is UTF-8: skip decoding
                    decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "UTF-8"
    except UnicodeDecodeError:
        data = path.read_bytes()
    if MULTIBYTE_UTF8.search(data):
        return "UTF-8"
    high = set(re.findall(rb"[\x80-\xff]", data))
    return "Windows-1252" if all(is_text(b.decode("cp1252", errors="replace")) for b in high) else "UTF-8"


def is_text(character: str) -> bool:
    return unicodedata.category(character).startswith("L") or character in COMMON_PUNCTUATION


def header_delimiter(header: str) -> str:
    """The separator found most often outside quotes in the header (`,` when none is)."""
    outside = re.sub(r'"[^"]*"', "", header)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def header_columns(header: str, delimiter: str) -> list[str]:
    """The header's column names, lower case and trimmed; a repeated name gets _2, _3..."""
    names: list[str] = []
    for name in next(csv.reader([header.rstrip("\r\n")], delimiter=delimiter)):
        name = name.strip().lower()
        base, n = name, 1
        while name in names:
            n += 1
            name = f"{base}_{n}"
        names.append(name)
    return names


def transcoded(path: Path, copy: Path) -> Path:
    """A UTF-8 copy of a Windows-1252 file, line for line (the five bytes Windows-1252 leaves
    undefined are read as Latin-1)."""
    decoder = codecs.getincrementaldecoder("cp1252")(errors="lesionwise_latin1")
    with path.open("rb") as source, copy.open("w", encoding="utf-8", newline="") as target:
        while chunk := source.read(CHUNK_BYTES):
            target.write(decoder.decode(chunk))
    return copy


def without_bom(path: Path, copy: Path) -> Path:
    """A copy of a UTF-8 file without its BOM (Spark would read it into the first column's name)."""
    with path.open("rb") as source, copy.open("wb") as target:
        source.seek(len(BOM))
        shutil.copyfileobj(source, target, CHUNK_BYTES)
    return copy


def _latin1_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("lesionwise_latin1", _latin1_fallback)

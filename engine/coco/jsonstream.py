"""Read a large JSON file one top-level array element at a time.

``json.load`` of a COCO file builds every annotation as Python objects at once,
about five times the file's size in memory. The importer needs one annotation
at a time, so this reader walks the top level by hand and hands each element
of a top-level array to the C decoder separately, reading the file in chunks.
It can also give each element's own text, from which the importer copies
number lists instead of writing them out again.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Iterator

from engine.coco.errors import CocoFormatError

_DECODER = json.JSONDecoder()
_SPACE = re.compile(r"[ \t\n\r]*")
_SEPARATOR = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")
CHUNK_CHARS = 1 << 22
_LONGEST_TOKEN = 16  # "-Infinity", a \uXXXX escape: what a cut can leave half-read


class Elements:
    """The elements of one top-level array, read lazily; iterate once, in order.
    ``with_text()`` iterates (element, its JSON text as in the file) instead."""

    def __init__(self, stream: "JsonStream"):
        self._stream = stream
        self._iterator: Iterator | None = None

    def __iter__(self):
        return self._start(False)

    def with_text(self) -> Iterator[tuple[object, str]]:
        return self._start(True)

    def _start(self, text: bool) -> Iterator:
        if self._iterator is not None:
            raise RuntimeError("the elements of a JSON stream can be read once")
        self._iterator = self._stream._elements(text)
        return self._iterator

    def _skip_rest(self) -> None:
        for _ in self._iterator if self._iterator is not None else self._start(False):
            pass


class JsonStream:
    """``items()`` yields ``(key, value)`` for a top-level object, where an array value
    comes as ``Elements``; a top-level array yields one ``(None, Elements)``."""

    def __init__(self, path: str | Path, chunk_chars: int = CHUNK_CHARS):
        self.path = Path(path)
        self.size = os.path.getsize(self.path)
        self._chunk = chunk_chars
        self._fh = open(self.path, encoding="utf-8-sig")
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._dropped_chars = 0
        self._dropped_lines = 0

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> "JsonStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def position(self) -> int:
        """Characters read so far (about bytes, for progress)."""
        return self._dropped_chars + self._pos

    # -- buffer ------------------------------------------------------------
    def _fill(self, at_least: int = 0) -> bool:
        if self._eof:
            return False
        try:
            chunk = self._fh.read(max(self._chunk, at_least))
        except UnicodeDecodeError as exc:
            raise CocoFormatError(self.path, "", "", f"not UTF-8 text ({exc.reason} near byte {exc.start})") from None
        if not chunk:
            self._eof = True
            return False
        self._dropped_lines += self._buf.count("\n", 0, self._pos)
        self._dropped_chars += self._pos
        self._buf = self._buf[self._pos:] + chunk
        self._pos = 0
        return True

    def _peek(self) -> str:
        """The next non-blank character ('' at the end of the file), not consumed."""
        while True:
            self._pos = _SPACE.match(self._buf, self._pos).end()
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return ""

    def _error(self, problem: str, pos: int | None = None) -> CocoFormatError:
        pos = self._pos if pos is None else pos
        line = self._dropped_lines + self._buf.count("\n", 0, pos) + 1
        column = pos - (self._buf.rfind("\n", 0, pos) + 1) + 1
        if line == self._dropped_lines + 1 and self._dropped_chars:
            column = None  # the start of this line was already dropped
        where = f"line {line}" + (f" column {column}" if column else "")
        return CocoFormatError(self.path, where, "", f"not valid JSON: {problem}")

    def _value(self, text: bool = False):
        """The next value, or (value, its text) with ``text``."""
        if self._peek() == "":
            raise self._error("unexpected end of file")
        grow = 0
        while True:
            try:
                value, end = _DECODER.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                # A value cut off by the buffer's end fails right at the end (or, for a
                # string, as unterminated): read on and retry. Any other failure is real.
                cut = exc.msg.startswith("Unterminated string") or exc.pos >= len(self._buf) - _LONGEST_TOKEN
                if not cut or not self._fill(grow):
                    raise self._error(exc.msg, exc.pos) from None
                grow = 2 * max(grow, self._chunk)  # long values: read in doubling steps
                continue
            if end > len(self._buf) - _LONGEST_TOKEN and type(value) in (int, float) and self._fill():
                continue  # a number near the buffer's end ("12", "1.", "1e") may go on in the next chunk
            start, self._pos = self._pos, end
            return (value, self._buf[start:end]) if text else value

    def _expect(self, chars: str) -> str:
        c = self._peek()
        if c == "" or c not in chars:
            found = "the end of the file" if c == "" else repr(c)
            raise self._error(f"expected {' or '.join(repr(x) for x in chars)}, found {found}")
        self._pos += 1
        return c

    # -- structure ---------------------------------------------------------
    def _elements(self, text: bool) -> Iterator:
        self._expect("[")
        if self._peek() == "]":
            self._pos += 1
            return
        scan, separator = _DECODER.scan_once, _SEPARATOR.match
        while True:
            # Fast path: decode in place and step over ", " in one match. Anything
            # else (an element running past the buffer, an error) takes the slow path.
            buf = self._buf
            try:
                value, end = scan(buf, self._pos)
            except (StopIteration, json.JSONDecodeError):
                end = len(buf)
            if end < len(buf):
                after = separator(buf, end)
                if after is not None:
                    start, self._pos = self._pos, after.end()
                    yield (value, buf[start:end]) if text else value
                    if after.group(1) == "]":
                        return
                    continue
            yield self._value(text)
            if self._expect(",]") == "]":
                return
            self._peek()

    def items(self) -> Iterator[tuple[str | None, object]]:
        first = self._peek()
        if first == "[":
            elements = Elements(self)
            yield None, elements
            elements._skip_rest()
        elif first == "{":
            self._pos += 1
            if self._peek() == "}":
                self._pos += 1
            else:
                while True:
                    key = self._value()
                    if not isinstance(key, str):
                        raise self._error("expected a key string")
                    self._expect(":")
                    if self._peek() == "[":
                        elements = Elements(self)
                        yield key, elements
                        elements._skip_rest()  # whatever the caller did not read
                    else:
                        yield key, self._value()
                    if self._expect(",}") == "}":
                        break
        else:
            raise CocoFormatError(self.path, "", "", "not a COCO file: expected a JSON object "
                                  "(instances, keypoints or captions) or a list (results)")
        if self._peek() != "":
            raise self._error("extra data after the end of the JSON value")

import pytest

from engine.cli.args import parse_ids
from engine.cli.main import UserError


def test_ids_and_ranges():
    assert parse_ids("1, 2,5-8", "--assets") == [1, 2, 5, 6, 7, 8]
    assert parse_ids("", "--assets") == []


def test_bad_part_names_the_option():
    with pytest.raises(UserError, match="--categories: 'x' is not an id"):
        parse_ids("1,x", "--categories")

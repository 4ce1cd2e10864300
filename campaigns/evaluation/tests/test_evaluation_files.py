"""The evaluation sets keep the shape the README promises, so a matcher can be scored on them."""

import json
from collections import Counter
from pathlib import Path

import pytest

EVALUATION_DIR = Path(__file__).resolve().parent.parent
SET_FILES = ["audience_dev.jsonl", "audience_heldout.jsonl"]
EXCLUDED_BY_VALUES = ["excluded_domain", "excluded_industry", "industry", "size", "country", "persona"]
ICP_FIELDS = {
    "industries",
    "employee_min",
    "employee_max",
    "countries",
    "persona_titles",
    "persona_seniorities",
    "persona_departments",
    "excluded_domains",
    "excluded_industries",
}


def load_icps() -> dict:
    return json.loads((EVALUATION_DIR / "icps.json").read_text(encoding="utf-8"))


def load_lines(file_name: str) -> list[dict]:
    text = (EVALUATION_DIR / file_name).read_text(encoding="utf-8")
    lines = []
    for number, raw in enumerate(text.splitlines(), start=1):
        try:
            lines.append(json.loads(raw))
        except json.JSONDecodeError as error:
            pytest.fail(f"{file_name} line {number} is not JSON: {error}")
    return lines


def test_every_icp_has_the_audience_fields():
    for key, icp in load_icps().items():
        assert icp.keys() >= ICP_FIELDS, f"{key} lacks {sorted(ICP_FIELDS - icp.keys())}"


@pytest.mark.parametrize("file_name", SET_FILES)
def test_every_line_has_the_documented_fields(file_name):
    for line in load_lines(file_name):
        assert set(line) == {"id", "icp", "account", "contact", "expected", "note"}, line.get("id")
        assert set(line["account"]) == {"name", "domain", "industry", "employee_count", "country"}, line["id"]
        assert set(line["contact"]) == {"title", "department", "seniority"}, line["id"]
        assert set(line["expected"]) == {"in_audience", "excluded_by"}, line["id"]
        assert line["note"].strip(), line["id"]


def test_ids_are_unique_across_both_files():
    ids = [line["id"] for file_name in SET_FILES for line in load_lines(file_name)]
    assert [id_ for id_, count in Counter(ids).items() if count > 1] == []


@pytest.mark.parametrize("file_name", SET_FILES)
def test_every_line_names_a_known_icp_and_every_icp_is_used(file_name):
    icp_keys = set(load_icps())
    used = {line["icp"] for line in load_lines(file_name)}
    assert used - icp_keys == set()
    assert icp_keys - used == set()


@pytest.mark.parametrize("file_name", SET_FILES)
def test_a_line_is_in_the_audience_exactly_when_nothing_excludes_it(file_name):
    for line in load_lines(file_name):
        expected = line["expected"]
        assert expected["excluded_by"] is None or expected["excluded_by"] in EXCLUDED_BY_VALUES, line["id"]
        assert expected["in_audience"] is (expected["excluded_by"] is None), line["id"]


@pytest.mark.parametrize("file_name", SET_FILES)
def test_each_exclusion_reason_appears_at_least_five_times(file_name):
    counts = Counter(line["expected"]["excluded_by"] for line in load_lines(file_name))
    assert {value: counts[value] for value in EXCLUDED_BY_VALUES if counts[value] < 5} == {}


def test_no_pair_appears_in_both_files():
    def pair(line):
        return json.dumps([line["icp"], line["account"], line["contact"]], sort_keys=True)

    dev, heldout = ({pair(line) for line in load_lines(file_name)} for file_name in SET_FILES)
    assert dev & heldout == set()

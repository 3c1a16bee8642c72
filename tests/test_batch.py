"""`keiyaku batch`: CSV overrides, safe folder names, per-row errors, the manifest, cp932 input."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import main
from contracts.batch import (
    BatchError,
    CellError,
    apply_override,
    check_column,
    convert,
    decode,
    folder_name,
    read_rows,
    type_at,
)
from contracts.render.files import SET_MANIFEST
from tests.conftest import ROOT

BASE = ROOT / "examples" / "data_provision.yaml"
COLUMNS = ["parties.recipient.name", "parties.recipient.kind", "deal.fee.amount_yen", "data.items", "deal.contract_date"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", header=COLUMNS) -> Path:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


# --------------------------------------------------------------------------- pure logic


def test_types_of_answers_paths():
    assert type_at("deal.fee.amount_yen") is int
    assert type_at("data.sensitive") is bool
    assert type_at("deal.contract_date") is dt.date
    assert type_at("deal.research.students.0.name") is str
    assert type_at("deal.choices.common_liability") is str
    with pytest.raises(KeyError):
        type_at("deal.fee.amount")
    with pytest.raises(KeyError):
        type_at("data.items.0")  # a list of values is one cell, split on ; or 、
    assert check_column("deal.fee") and "項目の集まり" in check_column("deal.fee")  # a section
    assert check_column("deal.hackathon.prizes") and "番号付きの列" in check_column("deal.hackathon.prizes")  # numbered
    assert check_column("parties.recipient.name") is None


@pytest.mark.parametrize("text, path, value", [
    ("1,200,000", "deal.fee.amount_yen", 1200000),
    ("１２００円", "deal.fee.amount_yen", 1200),
    ("はい", "data.sensitive", True),
    ("FALSE", "data.sensitive", False),
    ("×", "data.know_how", False),
    ("2027/4/1", "deal.contract_date", dt.date(2027, 4, 1)),
    ("2027年4月1日", "deal.contract_date", dt.date(2027, 4, 1)),
    ("日付;店舗コード、 販売数量 ;", "data.items", ["日付", "店舗コード", "販売数量"]),
    ("money;pr", "deal.goals", ["money", "pr"]),
    ("12.5%", "deal.fee.percent", 12.5),
    ("national_university", "parties.recipient.kind", "national_university"),
    (" 株式会社（テスト） ", "parties.recipient.name", "株式会社（テスト）"),
])
def test_cells_become_the_fields_type(text, path, value):
    assert convert(text, type_at(path)) == value


@pytest.mark.parametrize("text, path", [
    ("abc", "deal.fee.amount_yen"),
    ("maybe", "data.sensitive"),
    ("2027-13-45", "deal.contract_date"),
    ("school", "parties.recipient.kind"),
    ("money;fame", "deal.goals"),
])
def test_bad_cells_are_cell_errors(text, path):
    with pytest.raises(CellError):
        convert(text, type_at(path))


def test_apply_override_creates_sections_and_list_entries():
    data = {"deal": {"fee": {"kind": "free"}}}
    apply_override(data, "deal.fee.amount_yen", 5)
    apply_override(data, "deal.research.students.1.name", "田中")
    apply_override(data, "deal.research.students[0].name", "佐藤")
    assert data == {"deal": {"fee": {"kind": "free", "amount_yen": 5},
                             "research": {"students": [{"name": "佐藤"}, {"name": "田中"}]}}}


@pytest.mark.parametrize("name, expected", [
    ("国立大学法人 サンプル大学", "007_国立大学法人_サンプル大学"),
    ("../../etc/passwd", "007_etc_passwd"),
    ('a<b>c:d"e|f?g*h\\i', "007_a_b_c_d_e_f_g_h_i"),
    ("CON", "007_CON"),
    ("...", "007"),
    ("", "007"),
    (None, "007"),
    ("x" * 200, "007_" + "x" * 60),
])
def test_folder_names_are_safe(name, expected):
    folder = folder_name(7, name)
    assert folder == expected
    assert "/" not in folder and "\\" not in folder and ".." not in folder


def test_decode_utf8_bom_and_cp932():
    text = "parties.recipient.name\n国立大学法人サンプル大学\n"
    assert decode(text.encode("utf-8")) == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode(text.encode("cp932")) == (text, "cp932")
    assert decode(text.encode("cp932"), "cp932") == (text, "cp932")
    with pytest.raises(BatchError, match="として読めません"):  # cannot decode
        decode(text.encode("cp932"), "utf-8")


def test_header_problems_are_reported_together():
    with pytest.raises(BatchError) as info:
        read_rows("parties.recipient.nmae,deal.fee,,deal.court,deal.court\n")
    message = str(info.value)
    assert "parties.recipient.nmae" in message and "deal.fee" in message
    assert "見出しが空です" in message and "同じ項目が2回あります" in message  # empty header, appears twice


# --------------------------------------------------------------------------- the command


ROWS = 12  # enough for every case below and for the rows to be shared among worker processes; speed is in bench/
BAD_ROWS = {3: "deal.fee.amount_yen", 8: "parties.recipient.kind", ROWS: "deal.contract_date"}


def test_batch_of_12_rows_with_3_bad_rows(tmp_path):
    rows = []
    for n in range(1, ROWS + 1):
        name = f"株式会社サンプル教育{n}"
        if n == 5:
            name = "../../逃げる/ファイル"  # must stay inside OUT
        if n in (6, 7):
            name = "株式会社同名"  # two rows naming the same party
        row = [name, "corporation", str(100000 + n), "日付;店舗コード;販売数量", "2027-04-01"]
        if n == 3:
            row[2] = "十万円"
        if n == 8:
            row[1] = "school"
        if n == ROWS:  # the last row too
            row[4] = "2027-13-45"
        rows.append(row)
    table = write_csv(tmp_path / "rows.csv", rows)
    out = tmp_path / "out"
    result = run("batch", BASE, table, "--out", out)

    assert result.exit_code == 1, result.output
    for n, field in BAD_ROWS.items():
        assert f"{n}行目のデータ（ファイルの{n + 1}行目）: " in result.stderr and f"（{field}）" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert (manifest["rows"], manifest["succeeded"], manifest["failed"]) == (ROWS, ROWS - 3, 3)
    entries = {e["row"]: e for e in manifest["entries"]}
    assert sorted(entries) == list(range(1, ROWS + 1))
    for n, field in BAD_ROWS.items():
        assert entries[n]["status"] == "error" and entries[n]["files"] == [] and entries[n]["folder"] == ""
        assert [p["field"] for p in entries[n]["errors"]] == [field]

    folders = [p for p in out.iterdir() if p.is_dir()]
    assert len(folders) == ROWS - 3
    assert {p.name for p in folders} == {e["folder"] for e in entries.values() if e["status"] == "ok"}
    assert entries[5]["folder"] == "005_逃げる_ファイル" and (out / "005_逃げる_ファイル").is_dir()
    assert entries[6]["folder"] != entries[7]["folder"]
    assert not list(tmp_path.glob("逃げる*")) and not (tmp_path.parent / "逃げる").exists()

    ok = entries[1]
    assert ok["status"] == "ok" and ok["model"] == "data_provision" and ok["errors"] == []
    on_disk = sorted(p.relative_to(out).as_posix() for p in (out / ok["folder"]).rglob("*")
                     if p.is_file() and p.name != SET_MANIFEST)
    assert sorted(f["path"] for f in ok["files"]) == on_disk
    for e in entries.values():
        for f in e["files"]:
            content = (out / f["path"]).read_bytes()
            assert hashlib.sha256(content).hexdigest() == f["sha256"] and len(content) == f["bytes"]
    assert [p for p in out.rglob(".keiyaku-*") if p.name != SET_MANIFEST] == []

    with (out / "manifest.csv").open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.DictReader(fh))
    assert {int(r["row"]) for r in lines} == set(range(1, ROWS + 1))
    failed = [r for r in lines if r["status"] == "error"]
    assert sorted(int(r["row"]) for r in failed) == sorted(BAD_ROWS)
    assert all(r["error"] and not r["file"] for r in failed)
    assert sum(r["status"] == "ok" for r in lines) == sum(len(e["files"]) for e in entries.values())


def test_rows_override_the_base_with_typed_values(tmp_path):
    table = write_csv(tmp_path / "rows.csv", [["国立大学法人サンプル大学", "national_university", "1,500,000", "日付、売上", "2027/5/1"]])
    out = tmp_path / "out"
    result = run("batch", BASE, table, "--out", out, "--jobs", "1")
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "001_国立大学法人サンプル大学" / "review" / "summary.json").read_text(encoding="utf-8"))
    assert summary  # the set was rendered
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["encoding"] == "utf-8" and manifest["entries"][0]["status"] == "ok"


@pytest.mark.parametrize("encoding, option", [("cp932", "auto"), ("cp932", "cp932"), ("utf-8-sig", "auto"), ("utf-8-sig", "utf-8-sig")])
def test_cp932_and_bom_csv(tmp_path, encoding, option):
    rows = [["株式会社髙島屋データ教育", "corporation", "", "", ""], ["学校法人サンプル学園", "private_university", "200000", "", ""]]
    table = write_csv(tmp_path / "rows.csv", rows, encoding)
    out = tmp_path / "out"
    result = run("batch", BASE, table, "--out", out, "--encoding", option, "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (out / "001_株式会社髙島屋データ教育").is_dir() and (out / "002_学校法人サンプル学園").is_dir()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["encoding"] == encoding


def test_wrong_encoding_and_bad_header_write_nothing(tmp_path):
    table = write_csv(tmp_path / "rows.csv", [["株式会社サンプル", "corporation", "", "", ""]], "cp932")
    result = run("batch", BASE, table, "--out", tmp_path / "out", "--encoding", "utf-8")
    assert result.exit_code == 2 and "として読めません" in result.stderr  # cannot decode
    bad = write_csv(tmp_path / "bad.csv", [["x"]], header=["parties.recipient.nmae"])
    result = run("batch", BASE, bad, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "parties.recipient.nmae" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_existing_manifest_needs_force(tmp_path):
    table = write_csv(tmp_path / "rows.csv", [["株式会社サンプル", "corporation", "", "", ""]])
    out = tmp_path / "out"
    assert run("batch", BASE, table, "--out", out, "--jobs", "1").exit_code == 0
    again = run("batch", BASE, table, "--out", out, "--jobs", "1")
    assert again.exit_code == 2 and "--force" in again.stderr
    assert run("batch", BASE, table, "--out", out, "--jobs", "1", "--force").exit_code == 0


# --------------------------------------------------------------------------- issue 15: batch isolation and bounds


def test_one_bad_cell_fails_its_row_only_with_row_column_and_message(tmp_path):
    """A 5000-digit amount stopped every row; a right-to-left override in a name would have named a folder."""
    rows = [
        ["株式会社サンプル教育", "corporation", "9" * 5000, "", ""],
        ["株式会社\u202e逆向き", "corporation", "", "", ""],
        ["株式会社ふつう", "corporation", "1,000,000", "", ""],
    ]
    table = write_csv(tmp_path / "rows.csv", rows)
    out = tmp_path / "out"
    result = run("batch", BASE, table, "--out", out, "--jobs", "1")
    assert result.exit_code == 1, result.output
    assert "1行目のデータ（ファイルの2行目）: 対価の金額（円）（deal.fee.amount_yen）（3列目）: " in result.stderr
    assert "桁数が多すぎます（16桁まで）" in result.stderr and "9" * 100 not in result.stderr
    assert "2行目のデータ（ファイルの3行目）: 相手方の正式名称（parties.recipient.name）（1列目）: " in result.stderr
    assert "U+202E" in result.stderr
    assert "\u202e" not in result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in manifest["entries"]] == ["error", "error", "ok"]
    assert manifest["entries"][0]["errors"][0]["column"] == 3
    assert [p.name for p in out.iterdir() if p.is_dir()] == ["003_株式会社ふつう"]


@pytest.mark.parametrize("column", ["deal.hackathon.prizes.100000.rank", "deal.research.students.100.name",
                                    "deal.hackathon.prizes." + "9" * 5000 + ".rank"])
def test_list_indexes_in_the_header_are_bounded_by_the_model(tmp_path, column):
    """prizes.100000.rank grew every row's list to 100,000 entries (16 MB of errors, 3.3 GB of memory)."""
    table = write_csv(tmp_path / "rows.csv", [["x"]], header=[column])
    result = run("batch", BASE, table, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "一覧は100件まで" in result.stderr  # at most 100 entries
    assert len(result.stderr) < 2000 and not (tmp_path / "out").exists()
    assert check_column("deal.hackathon.prizes.99.rank") is None


def test_the_base_file_has_the_same_limit_as_validate(tmp_path):
    big = tmp_path / "base.yaml"
    big.write_bytes(BASE.read_bytes() + b"#" * (512 * 1024))
    table = write_csv(tmp_path / "rows.csv", [["株式会社サンプル", "corporation", "", "", ""]])
    validate = run("validate", big)
    result = run("batch", big, table, "--out", tmp_path / "out")
    assert validate.exit_code == result.exit_code == 2
    assert "大きすぎます（512 KiBまで）" in result.stderr and "大きすぎます（512 KiBまで）" in validate.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("force", [False, True])
def test_a_symlinked_manifest_is_refused_before_the_first_row(tmp_path, force):
    out, victim = tmp_path / "out", tmp_path / "victim.json"
    out.mkdir()
    victim.write_text("keep me")
    (out / "manifest.json").symlink_to(victim)
    table = write_csv(tmp_path / "rows.csv", [["株式会社サンプル", "corporation", "", "", ""]])
    result = run("batch", BASE, table, "--out", out, *(["--force"] if force else []))
    assert result.exit_code == 2 and "manifest.json" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json"]  # no row was generated
    assert victim.read_text() == "keep me"


def test_a_batch_into_a_folder_another_run_is_writing_exits_2(tmp_path):
    from contracts.render.files import OutputFolder

    table = write_csv(tmp_path / "rows.csv", [["株式会社サンプル", "corporation", "", "", ""]])
    with OutputFolder(tmp_path / "out"):
        result = run("batch", BASE, table, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "別の keiyaku の実行" in result.stderr


def test_folder_names_never_carry_invisible_characters():
    assert folder_name(1, "請求書\u202etxt.exe") == "001_請求書txt.exe"
    assert folder_name(2, "\u200b\u2066\ufeff") == "002"
    assert folder_name(3, "名\ud800前") == "003_名前"


@pytest.mark.parametrize("text, path", [
    ("٣٠٠", "deal.fee.amount_yen"),  # Arabic-Indic digits: int() would take them
    ("1e400", "deal.fee.percent"),
    ("nan", "deal.fee.percent"),
    ("٢٠٢٧-٠٤-٠١", "deal.contract_date"),
])
def test_cells_take_only_ascii_or_full_width_digits(text, path):
    with pytest.raises(CellError):
        convert(text, type_at(path))
